"""Each scenario fails at its named step when its fault is on, and each feature passes when none is.

The runs share a few long-lived stacks (lanes, `MATRIX_LANES`, 3 by default: the runs mostly wait,
they do not compute). On a lane, a fault is switched on through its area's control endpoint, behave
runs only the scenario whose id the fault names, and the fault is switched off again; a run that
leaves the stack other than it found it gets the lane a fresh stack. A startup-only fault gets a
fresh stack of its own.
"""
import os
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from stack import faults
from tests.behave_run import run_behave
from tests.fault_matrix import MATRIX
from tests.stack_lane import Lane
from tests.test_matrix_coverage import SCENARIOS

LANES = int(os.environ.get("MATRIX_LANES", "3"))
#: lines for the end of the pytest run (tests/conftest.py prints them)
SUMMARY = []
FEATURES = sorted({SCENARIOS[scenario][0] for scenario, _ in MATRIX.values()})


@dataclass
class Job:
    feature: str
    fault: str = None
    scenario: str = None
    run: object = None
    switched: list = field(default_factory=list)
    unrest: str = None
    error: str = None

    @property
    def area(self):
        return faults.area_of(self.fault)

    def weight(self):
        """Longest first, so that no lane is left with a long run at the end."""
        performance = "/performance/" in self.feature
        return (self.fault is not None, not performance, bool(self.fault and not faults.startup_only(self.fault)))


def _on_lane(lane, job):
    if job.fault and faults.startup_only(job.fault):
        job.run = run_behave(job.feature, (job.fault,), ("--tags", f"@{job.scenario}"))
        return
    lane.before_run()
    if not job.fault:
        job.run = run_behave(job.feature, stack_state=lane.state_path)
    else:
        try:
            job.switched = lane.switch(job.area, [job.fault])
            job.run = run_behave(job.feature, extra_args=("--tags", f"@{job.scenario}"), stack_state=lane.state_path)
        finally:
            lane.switch(job.area, [])
    job.unrest = lane.ensure_at_rest()


def _lane_worker(name, jobs):
    lane = Lane(name).start()
    try:
        while True:
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                return lane.restarts
            try:
                _on_lane(lane, job)
            except Exception as error:  # noqa: BLE001 - one broken run must not take the lane's other runs
                job.error = f"{type(error).__name__}: {error}"
                lane.restart()
    finally:
        lane.stop()


def _report(jobs, wall, restarts):
    seconds = defaultdict(float)
    for job in jobs:
        if job.run:
            seconds[job.feature.split("/")[1]] += job.run.seconds
    lines = [f"fault matrix: {len(jobs)} behave runs on {LANES} lanes in {wall:.0f} s wall, "
             f"{sum(restarts)} lane restart(s)"]
    lines += [f"  {area}: {total:.0f} s of behave runs" for area, total in sorted(seconds.items())]
    lines += [f"  restarted after {job.fault or job.feature}: {job.unrest or job.error}"
              for job in jobs if job.unrest or job.error]
    slowest = sorted((job for job in jobs if job.run), key=lambda job: -job.run.seconds)[:5]
    lines += [f"  slowest: {job.run.seconds:.1f} s {job.fault or job.feature}" for job in slowest]
    SUMMARY.extend(lines)


@pytest.fixture(scope="module")
def runs(request):
    """The behave runs the selected tests need, on `LANES` stacks at once."""
    selected = {item.callspec.params.get(name) for item in request.session.items
                if hasattr(item, "callspec") and item.module is request.module for name in ("feature", "fault")}
    jobs = [Job(feature) for feature in FEATURES if feature in selected]
    jobs += [Job(SCENARIOS[scenario][0], fault, scenario) for fault, (scenario, _) in MATRIX.items()
             if fault in selected]
    jobs.sort(key=Job.weight)
    pending = queue.Queue()
    for job in jobs:
        pending.put(job)
    started, restarts = time.monotonic(), []
    threads = [threading.Thread(target=lambda n=n: restarts.append(_lane_worker(n, pending)))
               for n in range(min(LANES, len(jobs)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _report(jobs, time.monotonic() - started, restarts)
    return {(job.feature, job.fault): job for job in jobs}


@pytest.mark.parametrize("feature", FEATURES)
def test_the_feature_passes_with_no_fault(runs, feature):
    job = runs[(feature, None)]
    assert job.error is None, job.error
    assert job.run.returncode == 0, job.run.output[-4000:]
    assert job.run.failed_steps() == []
    assert job.unrest is None, f"the feature left the stack other than it found it: {job.unrest}"


@pytest.mark.parametrize("fault", sorted(MATRIX))
def test_the_fault_makes_its_step_fail(runs, fault):
    scenario, step = MATRIX[fault]
    job = runs[(SCENARIOS[scenario][0], fault)]
    assert job.error is None, job.error
    assert faults.startup_only(fault) or fault in job.switched, f"{fault} was not switched on: {job.switched}"
    run = job.run
    assert run.scenarios, f"no scenario is tagged @{scenario}:\n{run.output[-2000:]}"
    assert run.returncode != 0, f"behave passed with fault {fault}:\n{run.output[-4000:]}"
    failed = run.failed_steps()
    assert any(name.startswith(step) for name in failed), (
        f"with {fault}, expected '{step}' to fail; failed: {failed}\n{run.output[-3000:]}"
    )
