"""Each scenario fails when the behaviour it claims is broken, and passes when nothing is."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from stack.faults import FAULTS
from tests.behave_run import run_behave
from tests.fault_matrix import COLD_START, MATRIX

FEATURES = sorted({feature for feature, _, _ in MATRIX.values()})


@pytest.fixture(scope="module")
def runs():
    """All behave runs of the matrix, two at a time (one per core)."""
    jobs = {(feature, None): (feature, ()) for feature in FEATURES}
    jobs.update({(feature, fault): (feature, (fault,), ("--name", scenario))
                 for fault, (feature, scenario, _) in MATRIX.items()})
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(run_behave, *args) for key, args in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def test_every_fault_is_in_the_matrix():
    assert sorted(MATRIX) == sorted(FAULTS)


@pytest.mark.parametrize("feature", FEATURES)
def test_the_feature_passes_with_no_fault(runs, feature):
    run = runs[(feature, None)]
    assert run.returncode == 0, run.output[-4000:]
    assert run.failed_steps() == []


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_the_fault_makes_its_step_fail(runs, fault):
    feature, _, step = MATRIX[fault]
    run = runs[(feature, fault)]
    assert run.returncode != 0, f"behave passed with fault {fault}:\n{run.output[-4000:]}"
    failed = run.failed_steps()
    assert any(name.startswith(step) for name in failed), (
        f"with {fault}, expected '{step}' to fail; failed: {failed}\n{run.output[-3000:]}"
    )


def test_every_then_of_the_feature_can_fail():
    """No Then step of the cold-start feature is left without a fault that breaks it."""
    with open(COLD_START) as handle:
        thens = []
        keyword = None
        for line in handle:
            words = line.strip().split(" ", 1)
            if words[0] in ("Given", "When", "Then"):
                keyword = words[0]
            if keyword == "Then" and words[0] in ("Then", "And") and len(words) > 1:
                thens.append(words[1])
    covered = [step for _, _, step in MATRIX.values()]
    for then in thens:
        assert any(then.startswith(step) or step.startswith(then.split("<")[0].strip()) for step in covered), then
