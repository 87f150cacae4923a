"""Every Then of every scenario has a fault of that scenario that makes it fail, and every fault names
a scenario that exists; scenarios are found by their id tags, read with behave's own parser.

A scenario's Thens are its Then steps and the And/But steps after them; an outline's rows share the
outline's Then steps (a step counts as broken when a fault's text starts its text in any row). A Then
that judges the suite's own code is proven by the unit tests PROVEN_BY_UNIT_TESTS names instead.
"""
import glob
import os
import re
from collections import defaultdict

import pytest
from behave.parser import parse_file

from stack import faults
from tests.fault_matrix import MATRIX, PROVED_BY, PROVEN_BY_UNIT_TESTS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEATURES = sorted(glob.glob(os.path.join(ROOT, "features", "*", "*.feature")))
ID = re.compile(r"^id\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)$")


def _id_of(path, scenario):
    ids = [tag for tag in scenario.tags if tag.startswith("id.")]
    assert len(ids) == 1, f"{path}: '{scenario.name}' needs exactly one id tag, has {ids}"
    match = ID.match(ids[0])
    area, stem = os.path.basename(os.path.dirname(path)), os.path.splitext(os.path.basename(path))[0]
    assert match and match.group(1, 2) == (area, stem), (
        f"{path}: '{scenario.name}' has id @{ids[0]}; ids here read @id.{area}.{stem}.<short_snake_name>")
    return ids[0]


def _thens(steps):
    return [step.name for step in steps if step.step_type == "then"]


def feature_areas():
    """{feature path: its area}, from the feature's tags."""
    found = {}
    for path in FEATURES:
        relative, tags = os.path.relpath(path, ROOT), set(parse_file(path).tags)
        areas = sorted(tags & set(faults.areas()))
        assert len(areas) == 1, f"{relative} needs exactly one area tag of {faults.areas()}, has {areas}"
        found[relative] = areas[0]
    return found


def scenarios():
    """{id: (feature path, [the Then steps of each run: one for a scenario, one per row of an outline])}."""
    found = {}
    for path in FEATURES:
        for scenario in parse_file(path).scenarios:
            key = _id_of(os.path.relpath(path, ROOT), scenario)
            assert key not in found, f"@{key} is on two scenarios"
            rows = getattr(scenario, "scenarios", None) or [scenario]
            found[key] = (os.path.relpath(path, ROOT), [_thens(row.steps) for row in rows])
    return found


FEATURE_AREAS = feature_areas()
FEATURE_TAGS = {os.path.relpath(path, ROOT): set(parse_file(path).tags) for path in FEATURES}
SCENARIOS = scenarios()
FAULTS_OF = defaultdict(list)
for _fault, (_id, _step) in MATRIX.items():
    FAULTS_OF[_id].append(_step)


def test_every_fault_is_in_the_matrix():
    assert sorted(MATRIX) == sorted(faults.declared())


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_every_fault_names_a_scenario_and_a_then_of_it(fault):
    scenario, step = MATRIX[fault]
    assert scenario in SCENARIOS, f"{fault}: no scenario is tagged @{scenario}"
    path, runs = SCENARIOS[scenario]
    assert FEATURE_AREAS[path] == faults.area_of(fault), (
        f"{fault} is a {faults.area_of(fault)} fault but @{scenario} is in a {FEATURE_AREAS[path]} feature")
    assert any(then.startswith(step) for thens in runs for then in thens), (
        f"{fault}: no Then of @{scenario} starts with '{step}'; its Thens: {runs[0]}")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_then_of_the_scenario_is_broken_by_a_fault_of_it(scenario):
    path, runs = SCENARIOS[scenario]
    if scenario in PROVED_BY:
        _, proving = SCENARIOS[PROVED_BY[scenario]]
        assert runs == proving, f"@{scenario} is proved by @{PROVED_BY[scenario]} only while their Thens are the same"
        scenario = PROVED_BY[scenario]
    steps = FAULTS_OF[scenario]
    for then in dict.fromkeys(runs[0]):
        if any(then.startswith(judged) for judged in PROVEN_BY_UNIT_TESTS):
            continue
        places = [position for position, same in enumerate(runs[0]) if same == then]
        assert any(thens[place].startswith(step) for thens in runs for place in places for step in steps), (
            f"{path}: no fault of @{scenario} makes '{then}' fail")


@pytest.mark.parametrize("then", sorted(PROVEN_BY_UNIT_TESTS))
def test_a_then_proven_by_unit_tests_names_tests_that_exist_and_a_then_in_use(then):
    assert os.path.exists(os.path.join(ROOT, PROVEN_BY_UNIT_TESTS[then]))
    assert any(step.startswith(then) for _, runs in SCENARIOS.values() for thens in runs for step in thens)
