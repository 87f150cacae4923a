"""Each scenario fails at its named step when its fault is on. (That every scenario passes when no fault
is on is `make behave-all`, the whole suite as a user runs it, before these tests in `make test`.)

Each area's runs share a few long-lived stacks of that area only (lanes: three for preview, two
for studio, gateway and guardian, one for any other area, `MATRIX_LANES`; the runs mostly wait,
they do not compute), and the areas run at once. On a lane, faults of different scenarios share one behave
process (tests/matrix_behave.py): each scenario runs alone under its own fault, switched on through
its area's control endpoint and off after it; the preview and the studio are then reset through
their control endpoints (what the scenario left, and what a defect kept in memory), and a scenario that
still leaves the stack other than it found it gets the lane a fresh stack. A startup-only fault gets
a fresh stack of its own. At most
`MATRIX_AT_ONCE` runs (5) go at a time; the timing (@performance) runs go first, each alone, and are
marked `alone` so that `make test` runs them before the tests that share the machine (pytest -m alone).
"""
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from stack import faults
from tests.behave_run import run_behave, run_under_faults
from tests.conftest import MATRIX_SUMMARY
from tests.fault_matrix import MATRIX
from tests.stack_lane import Lane
from tests.test_matrix_coverage import FEATURE_TAGS, SCENARIOS

#: stacks at once per area (`MATRIX_LANES=preview=3,studio=1`); an area not named gets one
LANES = {"preview": 3, "studio": 2, "gateway": 2, "guardian": 2, **{area: int(count) for area, count in
                         (pair.split("=") for pair in os.environ.get("MATRIX_LANES", "").split(",") if pair)}}
#: the smallest group a lane's last runs come in: each behave process costs about a second of processor
SMALLEST_GROUP = 2
#: behave runs at once on this machine, whatever their area (`MATRIX_AT_ONCE`): more only wait for a core
AT_ONCE = int(os.environ.get("MATRIX_AT_ONCE", "5"))


@dataclass
class Job:
    feature: str
    fault: str
    scenario: str
    steps: list = None  # (step name, status) of every step its scenario ran
    switched: list = field(default_factory=list)
    seconds: float = 0.0  # its scenario's time and its share of its behave process's start and end
    overhead: float = 0.0  # that share
    unrest: str = None
    reset: str = None  # what its scenario left, undone by its area's reset without a restart
    error: str = None
    output: str = ""

    @property
    def area(self):
        return faults.area_of(self.fault)

    def failed_steps(self):
        return [name for name, status in self.steps or () if status in ("failed", "error")]


def _groups(jobs, lanes):
    """Fault jobs in groups of different scenarios (a behave run holds each scenario once), the
    scenarios with most faults first. Each group holds about a half lane's share of the jobs still
    to be grouped, so groups shrink towards the end and the lanes end together (guided scheduling)."""
    by_scenario = defaultdict(list)
    for job in jobs:
        by_scenario[job.scenario].append(job)
    queues = sorted(by_scenario.values(), key=lambda waiting: -len(waiting))
    groups, left = [], len(jobs)
    while left:
        size = max(SMALLEST_GROUP, -(-left // (2 * lanes)))
        group = []
        for waiting in queues:
            if waiting and len(group) < size:
                group.append(waiting.pop(0))
        groups.append(group)
        left -= len(group)
    return groups


def _run_group(lane, group):
    """The group's faults in one behave process; the jobs it did not reach come back to be queued again."""
    plan = {job.scenario: (job.feature, job.area, job.fault) for job in group}
    run, results = run_under_faults(plan, lane.state_path)
    ran = [job for job in group if job.scenario in results["scenarios"]]
    overhead = (run.seconds - sum(results["scenarios"][job.scenario]["seconds"] for job in ran)) / max(1, len(ran))
    for job in ran:
        record = results["scenarios"][job.scenario]
        job.switched, job.steps, job.output = record["switched"], record["steps"], run.output
        job.reset = record.get("reset")
        job.seconds, job.overhead = record["seconds"] + overhead, overhead
    if results["unrest"]:
        unrest = results["unrest"]
        next(job for job in group if job.scenario == unrest["after"]).unrest = unrest["why"]
        lane.restart()
    elif len(ran) < len(group):
        raise RuntimeError(f"behave ran {len(ran)} of {len(group)} scenarios:\n{run.output[-3000:]}")
    return [job for job in group if job not in ran]


def _run_alone(job):
    """A startup-only fault, on a fresh stack of its own."""
    run = run_behave(job.feature, (job.fault,), ("--tags", f"@{job.scenario}"))
    job.steps, job.output, job.seconds = run.steps, run.output, run.seconds
    job.error = None if run.scenarios else f"behave ran no scenario:\n{run.output[-2000:]}"


class Work:
    """Every area's runs, each handed to a lane of its area in order, with at most `AT_ONCE` runs
    going at a time on this machine, and the timing runs first, each alone: features tagged @performance
    measure times and processor use, and judge a run invalid when other work loads the machine, so
    beside other runs a fault that slows the system could pass as "invalid" instead of failing its step.
    (Were the timing runs merely given the machine when it fell idle, one area's lanes would keep it
    busy and another area's timing runs would wait until the end.)"""

    def __init__(self, items):
        self.items, self.running, self.timing, self.changed = list(items), 0, False, threading.Condition()

    def take(self, area):
        """The next run of `area` a lane may start, or None when none is left."""
        with self.changed:
            while any(_area(item) == area for item in self.items):
                ready = next((item for item in self.items if _area(item) == area and self._may_start(item)), None)
                if ready is not None:
                    self.items.remove(ready)
                    self.running += 1
                    self.timing = self.timing or _timing(ready)
                    return ready
                self.changed.wait()
            return None

    def _may_start(self, item):
        if self.timing:
            return False
        if _timing(item):
            return self.running == 0
        return self.running < AT_ONCE and not any(_timing(waiting) for waiting in self.items)

    def done(self, item, left=()):
        with self.changed:
            if left:
                self.items.insert(0, left)
            self.running -= 1
            self.timing = self.timing and not _timing(item)
            self.changed.notify_all()


def _jobs(item):
    return item if isinstance(item, list) else [item]


def _area(item):
    return _jobs(item)[0].area


def _timing(item):
    return any("performance" in FEATURE_TAGS[job.feature] for job in _jobs(item))


def _lane_worker(name, area, work, finished):
    """Runs its area's work on a stack of its own, started with its first run (so within `AT_ONCE`)."""
    lane = Lane(name, area)
    try:
        while (item := work.take(area)) is not None:
            left = []
            try:
                if isinstance(item, list):
                    if lane.state is None:
                        lane.start()
                    left = _run_group(lane, item)
                else:
                    _run_alone(item)
            except Exception as error:  # noqa: BLE001 - one broken run must not take the lane's other runs
                for job in _jobs(item):
                    job.error = job.error or f"{type(error).__name__}: {error}"
                lane.restart()
            finally:
                work.done(item, left)
        finished.append((area, time.monotonic(), lane.restarts))
    finally:
        lane.stop()


def _report(jobs, started, finished):
    seconds = defaultdict(float)
    for job in jobs:
        seconds[job.area] += job.seconds
    ended = {area: max(end for name, end, _ in finished if name == area) for area, _, _ in finished}
    resets = [job for job in jobs if job.reset]
    lines = [f"fault matrix: {len(jobs)} runs in {max(ended.values(), default=started) - started:.0f} s wall, "
             f"{len(resets)} reset(s), {sum(restarts for _, _, restarts in finished)} lane restart(s)"]
    lines += [f"  {area}: {LANES.get(area, 1)} lane(s), {ended[area] - started:.0f} s wall, "
              f"{seconds[area]:.0f} s of behave runs" for area in sorted(ended)]
    grouped = [job for job in jobs if job.overhead]
    if grouped:
        share = sum(job.overhead for job in grouped) / len(grouped)
        lines.append(f"  behave start and end per grouped fault: {share:.1f} s")
    lines += [f"  reset after {job.fault}: {job.reset}" for job in resets]
    lines += [f"  restarted after {job.fault}: {job.unrest or job.error}" for job in jobs if job.unrest or job.error]
    timing = [job for job in jobs if _timing(job)]
    if timing:
        folders = defaultdict(list)
        for job in timing:
            folders[os.path.basename(os.path.dirname(job.feature))].append(job.seconds)
        lines.append(f"  timing runs, each alone: {len(timing)} in {sum(job.seconds for job in timing):.0f} s ("
                     + ", ".join(f"features/{name}: {len(runs)} in {sum(runs):.0f} s"
                                 for name, runs in sorted(folders.items())) + ")")
    slowest = sorted(jobs, key=lambda job: -job.seconds)[:8]
    lines += [f"  slowest: {job.seconds:.1f} s {job.fault}" for job in slowest]
    os.makedirs(os.path.dirname(MATRIX_SUMMARY), exist_ok=True)
    with open(MATRIX_SUMMARY, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def _ordered(jobs, lanes):
    """The timing runs first (one at a time, grouped only with each other), then the startup-only faults
    (fresh stacks, the longest runs), then the rest in groups."""
    alone = [job for job in jobs if faults.startup_only(job.fault)]
    grouped = [job for job in jobs if job not in alone]
    timed = [job for job in grouped if _timing(job)]
    return [*_groups(timed, 1), *alone, *_groups([job for job in grouped if job not in timed], lanes)]


@pytest.fixture(scope="module")
def runs(request):
    """The behave runs the selected tests need, each area's on its own `LANES` stacks, all at once."""
    selected = {item.callspec.params["fault"] for item in request.session.items
                if hasattr(item, "callspec") and item.module is request.module}
    jobs = [_job(fault) for fault in MATRIX if fault in selected]
    started, finished, threads = time.monotonic(), [], []
    areas = sorted({job.area for job in jobs})
    work = Work([item for area in areas for item in _ordered([job for job in jobs if job.area == area],
                                                             LANES.get(area, 1))])
    for area in areas:
        lanes = min(LANES.get(area, 1), sum(job.area == area for job in jobs))
        threads += [threading.Thread(target=_lane_worker, args=(f"{area}-{n}", area, work, finished))
                    for n in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _report(jobs, started, finished)
    return {job.fault: job for job in jobs}


def _fault_params():
    """Every fault; a timing one marked `alone`, so that it can run before the tests that share the machine."""
    return [pytest.param(fault, marks=[pytest.mark.alone] if _timing(_job(fault)) else [])
            for fault in sorted(MATRIX)]


def _job(fault):
    scenario = MATRIX[fault][0]
    return Job(SCENARIOS[scenario][0], fault, scenario)


@pytest.mark.parametrize("fault", _fault_params())
def test_the_fault_makes_its_step_fail(runs, fault):
    scenario, step = MATRIX[fault]
    job = runs[fault]
    assert job.error is None, job.error
    assert faults.startup_only(fault) or job.switched == [fault], f"{fault} was not the one fault on: {job.switched}"
    assert job.steps, f"@{scenario} did not run:\n{job.output[-2000:]}"
    failed = job.failed_steps()
    assert any(name.startswith(step) for name in failed), (
        f"with {fault}, expected '{step}' to fail; failed: {failed}\n{job.output[-3000:]}"
    )
