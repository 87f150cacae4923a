"""Each gateway scenario fails when the promise it names is broken, and passes when nothing is.

The matrix is tests/fault_matrix_gateway.py: a fault, its scenario's id tag, and the Then that
must fail. Each fault runs only its own scenario, on a fresh embedded gateway started with it.
"""
import glob
import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from stack.gateway.faults import FAULTS
from tests.behave_run import ROOT, run_behave
from tests.fault_matrix_gateway import MATRIX

FEATURES = os.path.join("features", "gateway")


def _feature_texts():
    return {path: open(path).read() for path in glob.glob(os.path.join(ROOT, FEATURES, "*.feature"))}


def _thens(text):
    found, keyword = [], None
    for line in text.splitlines():
        words = line.strip().split(" ", 1)
        if words[0] in ("Given", "When", "Then"):
            keyword = words[0]
        if keyword == "Then" and words[0] in ("Then", "And", "But") and len(words) > 1:
            found.append(words[1])
    return found


@pytest.fixture(scope="module")
def runs(request):
    """The behave runs the selected tests need, two at a time (one per core)."""
    selected = {item.callspec.params.get("fault") for item in request.session.items
                if hasattr(item, "callspec") and item.module is request.module}
    jobs = {fault: (FEATURES, (fault,), ("--tags", MATRIX[fault][0])) for fault in MATRIX if fault in selected}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {fault: pool.submit(run_behave, *args) for fault, args in jobs.items()}
        return {fault: future.result() for fault, future in futures.items()}


def test_every_gateway_fault_is_in_the_matrix():
    assert sorted(MATRIX) == sorted(FAULTS)


def test_every_scenario_named_by_the_matrix_exists():
    tags = set(re.findall(r"@id\.gateway\.[\w.]+", "\n".join(_feature_texts().values())))
    assert sorted({tag for tag, _ in MATRIX.values()} - tags) == []


def test_every_gateway_then_can_be_made_to_fail():
    covered = [step for _, step in MATRIX.values()]
    uncovered = [f"{os.path.basename(path)}: {then}" for path, text in _feature_texts().items()
                 for then in _thens(text) if not any(then.split("<")[0].startswith(step) for step in covered)]
    assert uncovered == []


def test_the_gateway_features_pass_with_no_fault():
    run = run_behave(FEATURES, extra_args=("--tags", "@gateway and not @slow"))
    assert run.returncode == 0, run.output[-4000:]
    assert run.failed_steps() == []
    assert "with areas gateway;" in run.output, run.output[-2000:]


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_the_fault_makes_its_step_fail(runs, fault):
    _, step = MATRIX[fault]
    run = runs[fault]
    assert run.returncode != 0, f"behave passed with fault {fault}:\n{run.output[-4000:]}"
    failed = run.failed_steps()
    assert any(name.startswith(step) for name in failed), (
        f"with {fault}, expected '{step}' to fail; failed: {failed}\n{run.output[-3000:]}")
