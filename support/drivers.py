"""Proof that each driver a profile selects really ran: its calls on the target, counted.

A driver is how one job is done on one kind of target (chaos through ECS `StopTask`, mail read from
an S3 inbox, workspaces read through ECS Exec). Code written for staging and never run is untested
code, so a run counts each selected driver's real calls, prints them at the end ("chaos: ecs
StopTask ×2"), writes them next to the Allure results for the summary, and, when the profile asks
it to prove its drivers, fails the run if one that a scenario of the run needed was never called
(a run whose tags, or whose protected gate, leave out every scenario that breaks things needs no
chaos driver).
"""
import glob
import json
import os
from collections import Counter
from contextlib import contextmanager

# One file per behave process (`make acceptance` runs several lanes into one results folder).
RESULTS_FILE = "drivers-{pid}.json"


class DriversNotUsed(AssertionError):
    """A driver the profile selects was never called: the run proved nothing about it."""


class DriverCalls:
    def __init__(self, prove=False):
        #: whether the run fails when a selected driver was never called (check_all_used)
        self.prove = prove
        self._selected = {}
        self._needed_when = {}
        self._needed = set()
        self._counts = Counter()
        self._paused = False

    def select(self, role, driver, needed_when=lambda tags: True):
        """`driver` does the job `role` in this run (chaos, mailbox, workspace, ...); a scenario whose
        tags satisfy `needed_when` cannot pass without it."""
        self._selected[role] = driver
        self._needed_when[role] = needed_when

    def scenario_ran(self, tags):
        """Marks the drivers that a scenario that ran (with these tags) needed."""
        self._needed.update(role for role, needed in self._needed_when.items() if needed(tags))

    def record(self, role, operation):
        if not self._paused:
            self._counts[(role, operation)] += 1

    @contextmanager
    def paused(self):
        """Calls made meanwhile are the suite's housekeeping (the sweep), not a driver doing its job."""
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def watch(self, client, role, operations, when=lambda params: True):
        """Counts `client`'s calls of `operations` (botocore's names) whose parameters satisfy `when`,
        as the client makes them (before retries), without touching the code that calls them."""
        service = client.meta.service_model.service_id.hyphenize()

        def count(params, model, **_):
            if when(params):
                self.record(role, model.name)

        for operation in operations:
            client.meta.events.register(f"provide-client-params.{service}.{operation}", count)

    def counts(self):
        """{role: {"driver": name, "calls": {operation: n}}} for every selected driver."""
        return {role: {"driver": driver,
                       "calls": {op: n for (r, op), n in sorted(self._counts.items()) if r == role}}
                for role, driver in self._selected.items()}

    def lines(self):
        return [f"{role}: {found['driver']} "
                + (", ".join(f"{op} ×{n}" for op, n in found["calls"].items())
                   or ("never called" if role in self._needed else "not needed by the scenarios that ran"))
                for role, found in self.counts().items()]

    def unused(self):
        """The drivers a scenario that ran needed, but that were never called."""
        return [f"{role} ({found['driver']})" for role, found in self.counts().items()
                if role in self._needed and not found["calls"]]

    def write(self, results_dir):
        os.makedirs(results_dir, exist_ok=True)
        with open(os.path.join(results_dir, RESULTS_FILE.format(pid=os.getpid())), "w", encoding="utf-8") as handle:
            json.dump(self.counts(), handle, indent=2)

    def check_all_used(self):
        """Raises DriversNotUsed naming every needed driver that was never called."""
        unused = self.unused()
        if unused:
            raise DriversNotUsed(f"drivers the profile selects were never called: {', '.join(unused)}")


def read(results_dir):
    """The counts every process of a run wrote into `results_dir`, added up; None when there are none."""
    paths = sorted(glob.glob(os.path.join(results_dir, RESULTS_FILE.format(pid="*"))))
    if not paths:
        return None
    total = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for role, found in json.load(handle).items():
                entry = total.setdefault(role, {"driver": found["driver"], "calls": {}})
                for operation, n in found["calls"].items():
                    entry["calls"][operation] = entry["calls"].get(operation, 0) + n
    return {role: {"driver": entry["driver"], "calls": dict(sorted(entry["calls"].items()))}
            for role, entry in total.items()}
