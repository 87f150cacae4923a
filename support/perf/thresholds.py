"""Thresholds as data, in k6's syntax: `{metric: ["p(95)<2000", "avg<1500"]}`, `{success: ["rate>0.95"]}`.

They are parsed when the profile is loaded, so a typo stops the run before any load is sent, and
evaluated after the run into a table of threshold, measured value and verdict. Durations are in
milliseconds and utilisation in percent, as in k6 and CloudWatch.
"""
import operator
import re
from dataclasses import dataclass

# name -> (kind, unit, what it is); the kind decides which aggregations make sense.
METRICS = {
    "session_start": ("trend", "ms", "from a session's planned arrival until the platform logged its preview upload"),
    "activation_response": ("trend", "ms", "from a session's planned arrival until the session API answered"),
    "session_success": ("rate", "", "sessions whose instruction was applied and whose preview was uploaded"),
    "cpu_utilization": ("summary", "%", "the edit service's CPUUtilization (AWS/ECS) during the run"),
    "memory_utilization": ("summary", "%", "the edit service's MemoryUtilization (AWS/ECS) during the run"),
    "http_req_duration": ("trend", "ms", "from a request's planned start until its answer"),
    "http_req_failed": ("rate", "", "requests that failed or answered with an error status"),
}
AGGREGATIONS = {
    "trend": {"avg", "min", "med", "max", "count", "p"},
    "rate": {"rate", "count"},
    "summary": {"avg", "min", "max", "count"},
}
OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
             "===": operator.eq, "!=": operator.ne}
_EXPRESSION = re.compile(
    r"^\s*(?P<agg>avg|min|med|max|count|rate|p\(\s*(?P<p>\d+(?:\.\d+)?)\s*\))\s*"
    r"(?P<op><=|>=|===|==|!=|<|>)\s*(?P<value>-?\d+(?:\.\d+)?)\s*$"
)


class ThresholdError(ValueError):
    """A threshold that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Threshold:
    metric: str
    expression: str
    aggregation: str
    percentile: float
    op: str
    value: float

    @property
    def measures(self):
        return f"p({self.percentile:g})" if self.aggregation == "p" else self.aggregation

    def check(self, measured):
        return measured is not None and OPERATORS[self.op](measured, self.value)


@dataclass(frozen=True)
class Verdict:
    threshold: Threshold
    measured: float
    passed: bool

    def row(self):
        unit = METRICS[self.threshold.metric][1]
        shown = "no data" if self.measured is None else f"{self.measured:,.4g}{' ' + unit if unit else ''}"
        return (self.threshold.metric, self.threshold.expression, shown, "pass" if self.passed else "FAIL")


def parse(metric, expression):
    """One k6 threshold expression for `metric`; raises ThresholdError naming what is wrong."""
    if metric not in METRICS:
        raise ThresholdError(f"unknown metric {metric!r} (known: {', '.join(sorted(METRICS))})")
    if not isinstance(expression, str):
        raise ThresholdError(f"threshold for {metric} must be a string like 'p(95)<2000', not {expression!r}")
    match = _EXPRESSION.match(expression)
    if not match:
        raise ThresholdError(
            f"threshold {expression!r} for {metric} does not parse; expected <aggregation><operator><number>, "
            f"e.g. 'p(95)<2000', 'avg<=1500', 'rate>0.95'"
        )
    kind = METRICS[metric][0]
    aggregation = "p" if match["p"] is not None else match["agg"]
    if aggregation not in AGGREGATIONS[kind]:
        allowed = ", ".join(sorted("p(N)" if a == "p" else a for a in AGGREGATIONS[kind]))
        raise ThresholdError(f"threshold {expression!r}: {metric} is a {kind} metric; it supports {allowed}")
    percentile = float(match["p"]) if match["p"] is not None else None
    if percentile is not None and not 0 < percentile <= 100:
        raise ThresholdError(f"threshold {expression!r}: a percentile must be above 0 and at most 100")
    return Threshold(metric, expression.strip(), aggregation, percentile, match["op"], float(match["value"]))


def parse_all(thresholds):
    """{metric: [expression, …]} -> [Threshold]; raises ThresholdError for the first bad entry."""
    if not isinstance(thresholds, dict) or not thresholds:
        raise ThresholdError("thresholds must map metric names to lists of expressions")
    parsed = []
    for metric, expressions in thresholds.items():
        if isinstance(expressions, str):
            expressions = [expressions]
        if not isinstance(expressions, list) or not expressions:
            raise ThresholdError(f"thresholds for {metric} must be a list of expressions like ['p(95)<2000']")
        parsed.extend(parse(metric, expression) for expression in expressions)
    return parsed


def evaluate(thresholds, measurements):
    """A Verdict per threshold; a metric with no data fails (nothing measured is not a pass)."""
    verdicts = []
    for threshold in thresholds:
        measured = measurements.aggregate(threshold.metric, threshold.aggregation, threshold.percentile)
        verdicts.append(Verdict(threshold, measured, threshold.check(measured)))
    return verdicts


def table(verdicts):
    """The verdicts as aligned text: metric, threshold, measured, verdict."""
    rows = [("metric", "threshold", "measured", "verdict")] + [verdict.row() for verdict in verdicts]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
