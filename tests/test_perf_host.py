"""The outside load beside a load run, and when it makes the edit containers' processor use invalid."""
import os
import shlex
import subprocess
import sys

import pytest

from support.config import Budget
from support.waits import eventually

from support.perf.host import HostLoad, HostReading, own_seconds
from support.perf.thresholds import Verdict, parse
from support.preview.performance.sessions import LoadRun

CPU = parse("cpu_utilization", "avg<80")
SPIN = [sys.executable, "-c",
        "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass\nprint(time.process_time())"]


def test_the_run_own_trees_count_their_children_and_nothing_else():
    processes = {1: (0, 100.0), 10: (1, 2.0), 11: (10, 3.0), 12: (11, 4.0), 20: (1, 50.0), 21: (20, 7.0)}
    assert own_seconds([10], processes) == 9.0
    assert own_seconds([10, 11, 21], processes) == 16.0, "a tree named twice counts once"
    assert own_seconds([99], processes) == 0


def _spin_outside(out):
    """SPIN in a process that is not this one's descendant (its shell exits, so it is re-parented);
    returns the processor seconds it used, once it has finished."""
    command = " ".join(shlex.quote(part) for part in SPIN)
    out.write_text("")  # exists before the shell opens it, so reading it early reads nothing
    subprocess.run(["sh", "-c", f"{command} >> {shlex.quote(str(out))} &"], check=True)
    return float(eventually(out.read_text, until=lambda text: text.endswith("\n"), within=Budget("spin", 20),
                            describe="the outside process to finish", report=False))


@pytest.mark.alone
def test_a_busy_process_beside_the_run_is_outside_load(tmp_path):
    load = HostLoad([os.getpid()], max_outside_share=0.25, max_inflation=2).start()
    spun = _spin_outside(tmp_path / "spun")
    reading = load.stop()
    assert spun > 0.1
    assert reading.outside_cores * reading.seconds >= 0.9 * spun, (spun, reading.summary())
    assert reading.own_cores * reading.seconds < 0.5 * spun, (spun, reading.summary())


@pytest.mark.alone
def test_a_child_of_the_run_is_its_own_load():
    load = HostLoad([os.getpid()], max_outside_share=0.25, max_inflation=2).start()
    spun = float(subprocess.run(SPIN, capture_output=True, text=True, check=True).stdout)
    reading = load.stop()
    assert reading.own_cores * reading.seconds >= 0.9 * spun, (spun, reading.summary())


def _reading(outside_share):
    host = HostReading(10.0, 2, 0.3, outside_share * 2, 0.75, 2.0)
    if outside_share > 0.75:
        host.problems.append(f"other work used {outside_share:.0%}")
    return host


def _run(outside_share, measured):
    host = _reading(outside_share)
    return LoadRun(None, None, [], None, (0, 1), host), [Verdict(CPU, measured, CPU.check(measured))]


def test_processor_use_on_a_busy_machine_is_invalid_whether_it_passed_or_failed_within_what_other_work_explains():
    run, verdicts = _run(0.9, 120.0)
    assert run.invalid("cpu_utilization", verdicts) == (
        "invalid run, the machine was too busy with other work: other work used 90%; measured avg<80 120 against 80")
    assert run_invalid(0.9, 30.0) == (
        "invalid run, the machine was too busy with other work: other work used 90%; measured avg<80 30 against 80"), \
        "a spinning container that got little of a busy machine reads low: its pass is not trusted either"


def test_processor_use_is_judged_on_a_quiet_machine_and_beyond_what_other_work_explains():
    assert run_invalid(0.5, 30.0) is None
    assert run_invalid(0.5, 120.0) is None, "a quiet machine's failure is a failure"
    assert run_invalid(0.9, 176.0) is None, "a container burning over twice the limit fails whatever ran beside it"
    run, verdicts = _run(0.9, 120.0)
    assert run.invalid("memory_utilization", verdicts) is None, "memory is not distorted by other work"


def run_invalid(share, measured):
    run, verdicts = _run(share, measured)
    return run.invalid("cpu_utilization", verdicts)


def test_a_wall_clock_time_over_budget_on_a_busy_machine_is_invalid_only_within_what_other_work_explains():
    busy, quiet = _reading(0.9), _reading(0.5)
    assert busy.invalid([("whole flow", 4.7, 4, False)], pass_stands=True) == (
        "invalid run, the machine was too busy with other work: other work used 90%; measured whole flow 4.7 against 4")
    assert busy.invalid([("whole flow", 8.1, 4, False)], pass_stands=True) is None, \
        "over twice the budget is slow whatever ran beside it"
    assert busy.invalid([("whole flow", 3.1, 4, True)], pass_stands=True) is None, "a time within budget stands"
    assert quiet.invalid([("whole flow", 4.7, 4, False)], pass_stands=True) is None
