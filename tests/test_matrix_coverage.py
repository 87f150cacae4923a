"""Every Then of every feature has a fault that makes it fail, and every fault names a real scenario.

A Then reused with other values ("the preview shows a page titled "Contact"") is covered by the
fault that breaks the same step elsewhere, since the step's code is the same.
"""
import glob
import os
import re

import pytest

from tests.fault_matrix import MATRIX
from tests.fault_matrix_guardian import PROVEN_BY_UNIT_TESTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEATURES = sorted(os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, "features", "*", "*.feature")))


def thens(path):
    """The text of every Then (and every And or But that follows one) of a feature file."""
    found, keyword = [], None
    with open(os.path.join(ROOT, path)) as handle:
        for line in handle:
            words = line.strip().split(" ", 1)
            if words[0] in ("Given", "When", "Then"):
                keyword = words[0]
            if keyword == "Then" and words[0] in ("Then", "And", "But") and len(words) > 1:
                found.append(words[1])
    return found


def scenario_names(path):
    with open(os.path.join(ROOT, path)) as handle:
        return [line.split(":", 1)[1].strip() for line in handle
                if line.strip().startswith(("Scenario:", "Scenario Outline:"))]


def shape(step):
    """The step with its quoted values blanked; an outline step up to its first placeholder."""
    return re.sub(r'"[^"]*"', '""', step.split("<")[0].strip())


@pytest.mark.parametrize("path", FEATURES)
def test_every_then_can_be_made_to_fail(path):
    # Thens that judge the suite's own code (the infrastructure check) are proven by unit tests instead.
    covered = [shape(step) for _, _, step in MATRIX.values()] + list(PROVEN_BY_UNIT_TESTS)
    for then in thens(path):
        assert any(shape(then).startswith(step) or step.startswith(shape(then)) for step in covered), \
            f"{path}: no fault makes '{then}' fail"


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_every_fault_names_a_scenario_that_exists(fault):
    feature, scenario, _ = MATRIX[fault]
    assert any(name.startswith(scenario) for name in scenario_names(feature)), f"no '{scenario}' in {feature}"
