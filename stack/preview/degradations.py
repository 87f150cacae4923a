"""The edit worker's performance defects, kept out of its main path: each is switched on by its
fault name and reproduces what a slow or greedy production container does.

The numbers are chosen against the local profile's budgets so that each defect breaks exactly
the promise it is named for: a stage pause longer than a stage budget, a per-stage slowdown that
fits every stage budget but not the whole flow's, and so on.
"""
import threading
import time

from stack import faults

# `slow_build_stage`: the build waits this long (the local build stage budget is 2.5 s).
SLOW_BUILD_S = 3.5
# `edit_stages_throttled`: every stage takes this much longer (each stage fits its 2.5 s budget,
# the five of them push a 3 s flow past its 6 s budget).
THROTTLED_STAGE_S = 1.2
# `warm_start_reinstalls_dependencies`: reinstalling on every resumed session (warm budget 1 s).
REINSTALL_S = 1.5
# `edit_container_busy_loop`: a file watcher that never rests: up to a whole core, four times the
# 0.25 vCPU a task has (less when this machine is busy, but still well over the 80 % threshold).
# `edit_container_memory_bloat`: an in-memory cache that fills most of the task's 512 MiB.
BLOAT_BYTES = 470 * 1024 * 1024


class ThrottledLog:
    """Wraps a StageLog: every stage line is written `THROTTLED_STAGE_S` late."""

    def __init__(self, log):
        self._log = log

    def put(self, message):
        time.sleep(THROTTLED_STAGE_S)
        self._log.put(message)


def stage_log(settings, log):
    return ThrottledLog(log) if faults.active(settings, "edit_stages_throttled") else log


def before_build(settings):
    if faults.active(settings, "slow_build_stage"):
        time.sleep(SLOW_BUILD_S)


def build_logged_early(settings, log, tags):
    """`build_logged_before_it_runs`: the build's marker is written when the work starts; True if it was."""
    if not faults.active(settings, "build_logged_before_it_runs"):
        return False
    log.put(f"Build complete {tags}")
    return True


def on_resume(settings):
    """A task takes up a workspace it already had open (a warm start)."""
    if faults.active(settings, "warm_start_reinstalls_dependencies"):
        time.sleep(REINSTALL_S)


def _busy_watch():
    while True:
        pass


def on_start(settings):
    """What a degraded container does as it starts; returns memory it must keep alive."""
    if faults.active(settings, "edit_container_busy_loop"):
        threading.Thread(target=_busy_watch, name="busy-file-watcher", daemon=True).start()
    if faults.active(settings, "edit_container_memory_bloat"):
        return b"\x01" * BLOAT_BYTES
    return None
