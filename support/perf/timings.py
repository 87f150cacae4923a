"""What a load run measured: trends in HDR histograms, rates, and summaries read from CloudWatch.

Percentiles come from an HDR histogram (3 significant digits, 1 µs to 1 h), so a run of any
length uses the same, small, fixed memory and p99 is exact to 0.1 %, not an average of averages.
"""
from dataclasses import dataclass

from hdrh.histogram import HdrHistogram

LOWEST_US, HIGHEST_US, DIGITS = 1, 3_600_000_000, 3
PERCENTILES = (50, 90, 95, 99)


class Trend:
    """Durations in milliseconds (recorded in microseconds, so sub-millisecond floors stay visible)."""

    kind = "trend"

    def __init__(self):
        self.histogram = HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)

    def record(self, ms):
        self.histogram.record_value(min(HIGHEST_US, max(LOWEST_US, round(ms * 1000))))

    @property
    def count(self):
        return self.histogram.get_total_count()

    def percentile(self, p):
        return self.histogram.get_value_at_percentile(p) / 1000 if self.count else None

    def aggregate(self, name, argument=None):
        if not self.count:
            return None
        if name == "p":
            return self.percentile(argument)
        return {
            "avg": lambda: self.histogram.get_mean_value() / 1000,
            "min": lambda: self.histogram.get_min_value() / 1000,
            "med": lambda: self.percentile(50),
            "max": lambda: self.histogram.get_max_value() / 1000,
            "count": lambda: self.count,
        }[name]()

    def distribution(self, points=(0, 50, 75, 90, 95, 99, 99.9, 100)):
        """(percentile, ms) pairs for a latency-by-percentile chart."""
        return [(p, self.percentile(p)) for p in points] if self.count else []

    def summary(self):
        if not self.count:
            return {"count": 0}
        result = {"count": self.count, "avg": self.aggregate("avg"), "min": self.aggregate("min")}
        result.update({f"p{p}": self.percentile(p) for p in PERCENTILES})
        result["max"] = self.aggregate("max")
        return {key: round(value, 3) for key, value in result.items()}


class Rate:
    """The share of events that passed, e.g. sessions that started out of sessions that arrived."""

    kind = "rate"

    def __init__(self):
        self.passes = 0
        self.total = 0

    def record(self, passed):
        self.passes += bool(passed)
        self.total += 1

    @property
    def count(self):
        return self.total

    def aggregate(self, name, argument=None):
        if not self.total:
            return None
        return {"rate": self.passes / self.total, "count": self.passes}[name]

    def summary(self):
        rate = round(self.passes / self.total, 4) if self.total else None
        return {"count": self.total, "passes": self.passes, "rate": rate}


@dataclass
class Summary:
    """A metric only known as aggregates, e.g. a CloudWatch statistic over the load's window."""

    avg: float = None
    min: float = None
    max: float = None
    count: int = 0
    kind = "summary"

    def aggregate(self, name, argument=None):
        if not self.count:
            return None
        return {"avg": self.avg, "min": self.min, "max": self.max, "count": self.count}[name]

    def summary(self):
        values = {"count": self.count, "avg": self.avg, "min": self.min, "max": self.max}
        return {key: round(value, 3) if isinstance(value, float) else value for key, value in values.items()}


class Measurements:
    """The metrics of one run by name; a metric exists once something was recorded or set for it."""

    def __init__(self):
        self.metrics = {}

    def trend(self, name):
        return self.metrics.setdefault(name, Trend())

    def rate(self, name):
        return self.metrics.setdefault(name, Rate())

    def set_summary(self, name, summary):
        self.metrics[name] = summary

    def aggregate(self, name, aggregation, argument=None):
        metric = self.metrics.get(name)
        return metric.aggregate(aggregation, argument) if metric else None

    def summary(self):
        return {name: {"kind": metric.kind, **metric.summary()} for name, metric in self.metrics.items()}
