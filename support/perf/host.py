"""How much of this machine's processor time went to work that is not the run's own.

A system measured on the machine that runs it (the embedded stack) shares the processors with
whatever else runs there. Its own processor time is still its own, but when other work keeps the
machine's cores busy the figure stops being a property of the system: caches and cores are shared,
and a worker waits for a core in the middle of its work. So a load run records the machine's busy
time (/proc/stat) minus the processor time of the run's own process trees (the suite and the
embedded stack, read from /proc/<pid>/stat, finished children included), and a run during which
that outside share was over the profile's limit is reported invalid, as the load generator does when
it falls behind its schedule (support/perf/generator.py), unless the measure failed by more than
other work can explain.
"""
import os
import time
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK")
# /proc/stat's cpu line: user nice system idle iowait irq softirq steal; busy is all but idle, iowait, steal
_BUSY = (0, 1, 2, 5, 6)


def _machine_busy_s():
    with open("/proc/stat") as handle:
        fields = handle.readline().split()[1:]
    return sum(int(fields[index]) for index in _BUSY) / _TICKS


def _processes():
    """{pid: (parent pid, processor seconds of it and its reaped children)} of every process now."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found[int(name)] = (int(fields[1]), sum(int(value) for value in fields[11:15]) / _TICKS)
    return found


def own_seconds(roots, processes=None):
    """Processor seconds used so far by the process trees under `roots` (each counted once)."""
    processes = _processes() if processes is None else processes
    children = {}
    for pid, (parent, _used) in processes.items():
        children.setdefault(parent, []).append(pid)
    seen, stack = set(), [root for root in roots if root in processes]
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack += children.get(pid, [])
    return sum(processes[pid][1] for pid in seen)


@dataclass
class HostReading:
    """The machine's processor use over one window, split into the run's own and everything else."""

    seconds: float
    cores: int
    own_cores: float
    outside_cores: float
    max_outside_share: float
    max_inflation: float
    problems: list = field(default_factory=list)

    @property
    def outside_share(self):
        return self.outside_cores / self.cores

    def explains(self, measured, limit):
        """Whether other work could account for `measured` going over the upper `limit`: it is within
        `max_inflation` times the limit (two hardware threads of one core each run at about half speed)."""
        return measured is not None and measured <= limit * self.max_inflation

    def invalid(self, measures, pass_stands):
        """"invalid run, ..." when the machine was busier than its limit and the (what, measured, upper
        limit, passed) `measures` cannot be judged; None when it was quiet enough, or when one failed by
        more than other work can explain (a clear failure whatever ran beside it).

        A failure within `max_inflation` times its limit is invalid. A pass stands when `pass_stands`
        (a wall-clock time only stretches on a busy machine); processor use is not such a measure: a
        container that wants more than it gets reads lower on a busy machine, so its pass is invalid too."""
        failed = [(what, measured, limit) for what, measured, limit, passed in measures if not passed]
        if self.valid or not measures or (pass_stands and not failed):
            return None
        if not all(self.explains(measured, limit) for _what, measured, limit in failed):
            return None
        return (f"invalid run, the machine was too busy with other work: {'; '.join(self.problems)}; measured "
                + ", ".join(f"{what} {measured:,.4g} against {limit:g}" for what, measured, limit, _p in measures))

    @property
    def valid(self):
        return not self.problems

    def summary(self):
        return {"seconds": round(self.seconds, 2), "cores": self.cores, "own_cores": round(self.own_cores, 3),
                "outside_cores": round(self.outside_cores, 3), "outside_share": round(self.outside_share, 3),
                "max_outside_share": self.max_outside_share, "max_inflation": self.max_inflation,
                "valid": self.valid, "problems": self.problems}


HOST_SCHEMA = {
    "max_outside_share": (lambda v: isinstance(v, (int, float)) and 0 < v <= 1,
                          "the share of this machine's processors other work may use during a measure, "
                          "above 0 and at most 1"),
    "max_inflation": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1,
                      "a factor, 1 or more"),
}


def host_load(profile, limits):
    """The outside-load check where the measured system runs on this machine (an embedded stack and
    `limits`, a profile's `host` section); None on a remote target, whose processors are its own."""
    if not (profile.embedded and limits):
        return None
    from support.embedded import read_state, state_path  # embedded imports waits, which imports reporting
    state = read_state(state_path(profile["stack"])) or {}
    return HostLoad([os.getpid(), state.get("pid")], limits["max_outside_share"], limits["max_inflation"])


class HostLoad:
    """Measures one window: `start()`, then `stop()` returns its HostReading."""

    def __init__(self, roots, max_outside_share, max_inflation, cores=None):
        self.roots = [root for root in roots if root]
        self.max_outside_share, self.max_inflation = max_outside_share, max_inflation
        self.cores = cores or os.cpu_count()
        self._start = None

    def _sample(self):
        return time.monotonic(), _machine_busy_s(), own_seconds(self.roots)

    def start(self):
        self._start = self._sample()
        return self

    def stop(self):
        (then, busy_then, own_then), (now, busy_now, own_now) = self._start, self._sample()
        seconds = max(now - then, 1e-6)
        own = max(own_now - own_then, 0.0) / seconds
        outside = max(busy_now - busy_then - (own_now - own_then), 0.0) / seconds
        reading = HostReading(seconds, self.cores, own, outside, self.max_outside_share, self.max_inflation)
        if reading.outside_share > self.max_outside_share:
            reading.problems.append(
                f"other work used {outside:.2f} of {self.cores} cores ({reading.outside_share:.0%}) beside the run, "
                f"over the {self.max_outside_share:.0%} within which this machine's measures of the system are trusted")
        return reading
