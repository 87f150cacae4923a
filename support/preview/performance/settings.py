"""The profile's `performance` section: loads with their thresholds, the generator's validity bounds,
the reporter's outputs and the baseline store.

`check_loads` runs while the profile is validated, so a threshold that does not parse, an unknown
metric, a negative rate or a zero duration stops the run with the key named, before any load.
"""
from dataclasses import dataclass

from support.perf.generator import Plan, Validity
from support.perf.thresholds import ThresholdError, parse_all

STEADY_KEYS = {"arrivals_per_minute", "duration_s", "thresholds"}
BURST_KEYS = {"size", "thresholds"}


@dataclass(frozen=True)
class Load:
    name: str
    plan: Plan
    thresholds: list

    @property
    def metrics(self):
        return {threshold.metric for threshold in self.thresholds}


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _load(name, spec):
    """A Load from its profile entry; raises ValueError naming the load and the problem."""
    if not isinstance(spec, dict):
        raise ValueError(f"load {name!r} must be a mapping")
    keys = set(spec)
    if "size" in spec:
        unknown, kind = keys - BURST_KEYS, "a burst (size, thresholds)"
    else:
        unknown, kind = keys - STEADY_KEYS, "a steady load (arrivals_per_minute, duration_s, thresholds)"
    if unknown:
        raise ValueError(f"load {name!r} is {kind}; unknown key(s) {', '.join(sorted(unknown))}")
    try:
        thresholds = parse_all(spec.get("thresholds"))
    except ThresholdError as error:
        raise ValueError(f"load {name!r}: {error}") from None
    if "size" in spec:
        size = spec["size"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise ValueError(f"load {name!r}: size is {size!r}; expected a whole number of sessions above 0")
        return Load(name, Plan.burst(size), thresholds)
    rate, duration = spec.get("arrivals_per_minute"), spec.get("duration_s")
    if not _number(rate) or rate <= 0:
        raise ValueError(f"load {name!r}: arrivals_per_minute is {rate!r}; expected a number above 0")
    if not _number(duration) or duration <= 0:
        raise ValueError(f"load {name!r}: duration_s is {duration!r}; expected a number of seconds above 0")
    return Load(name, Plan.steady(rate / 60, duration), thresholds)


def check_loads(loads):
    """The profile validator for `performance.loads`: True, or ValueError with the reason."""
    if not isinstance(loads, dict) or not loads:
        raise ValueError("expected a mapping of load names to loads")
    for name, spec in loads.items():
        _load(name, spec)
    return True


class PerformanceSettings:
    def __init__(self, profile):
        section = profile.area("preview").get("performance")
        if section is None:
            raise KeyError(f"{profile.source} has no 'preview.performance' section; performance scenarios need one")
        self.profile_name = profile.name
        self.section = section
        self.loads = {name: _load(name, spec) for name, spec in section["loads"].items()}
        generator = section["generator"]
        self.validity = Validity(generator["min_rate_share"], generator["max_dispatch_lag_ms"])
        self.max_in_flight = generator["max_in_flight"]
        self.request_timeout_s = generator["request_timeout_s"]
        self.start_times = section["start_times"]
        self.baseline = section["baseline"]
        self.publish_metrics = section["publish_metrics"]
        self.namespace = section["metrics_namespace"]
        self.report_dir = section["report_dir"]

    def load(self, name):
        if name not in self.loads:
            raise KeyError(f"no load named {name!r} in the profile (loads: {', '.join(sorted(self.loads))})")
        return self.loads[name]
