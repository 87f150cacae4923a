"""Each scenario fails when the behaviour it claims is broken, and passes when nothing is."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from stack.faults import FAULTS
from tests.behave_run import run_behave
from tests.fault_matrix import MATRIX

FEATURES = sorted({feature for feature, _, _ in MATRIX.values()})


@pytest.fixture(scope="module")
def runs(request):
    """The behave runs the selected tests need, two at a time (one per core)."""
    selected = {item.callspec.params.get(name) for item in request.session.items
                if hasattr(item, "callspec") and item.module is request.module for name in ("feature", "fault")}
    jobs = {(feature, None): (feature, ()) for feature in FEATURES if feature in selected}
    jobs.update({(feature, fault): (feature, (fault,), ("--name", scenario))
                 for fault, (feature, scenario, _) in MATRIX.items() if fault in selected})
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
