"""k6-style thresholds: what parses, what is refused with a reason, and how a run is judged."""
import pytest

from support.perf.thresholds import ThresholdError, evaluate, parse, parse_all, table
from support.perf.timings import Measurements, Summary


@pytest.mark.parametrize("expression, aggregation, percentile, op, value", [
    ("p(95)<2000", "p", 95.0, "<", 2000.0),
    ("p(99.9) <= 3000.5", "p", 99.9, "<=", 3000.5),
    ("avg<1500", "avg", None, "<", 1500.0),
    (" med>=10 ", "med", None, ">=", 10.0),
    ("max!=0", "max", None, "!=", 0.0),
    ("count===4", "count", None, "===", 4.0),
])
def test_trend_expressions_parse(expression, aggregation, percentile, op, value):
    threshold = parse("session_start", expression)
    assert (threshold.aggregation, threshold.percentile, threshold.op, threshold.value) == (
        aggregation, percentile, op, value)


@pytest.mark.parametrize("metric, expression, message", [
    ("session_start", "p95<2000", "does not parse"),
    ("session_start", "p(95)<<2000", "does not parse"),
    ("session_start", "p(95)<2s", "does not parse"),
    ("session_start", "", "does not parse"),
    ("session_start", "p(0)<10", "above 0 and at most 100"),
    ("session_start", "p(101)<10", "above 0 and at most 100"),
    ("session_start", "rate>0.95", "is a trend metric; it supports"),
    ("session_success", "p(95)<2000", "is a rate metric; it supports count, rate"),
    ("cpu_utilization", "p(95)<80", "is a summary metric"),
    ("session_start", 2000, "must be a string"),
    ("http_req_waiting", "avg<100", "unknown metric 'http_req_waiting'"),
])
def test_bad_thresholds_are_refused_with_a_reason(metric, expression, message):
    with pytest.raises(ThresholdError, match=message):
        parse(metric, expression)


def test_a_mapping_of_thresholds_is_parsed_in_order():
    parsed = parse_all({"session_start": ["avg<3500", "p(95)<6000"], "session_success": "rate>0.95"})
    assert [(t.metric, t.expression) for t in parsed] == [
        ("session_start", "avg<3500"), ("session_start", "p(95)<6000"), ("session_success", "rate>0.95")]


@pytest.mark.parametrize("thresholds", [{}, [], {"session_start": []}, {"session_start": None}])
def test_empty_or_malformed_threshold_mappings_are_refused(thresholds):
    with pytest.raises(ThresholdError):
        parse_all(thresholds)


def measured():
    measurements = Measurements()
    for ms in range(1, 101):
        measurements.trend("session_start").record(ms * 10)
    for passed in [True] * 19 + [False]:
        measurements.rate("session_success").record(passed)
    measurements.set_summary("cpu_utilization", Summary(avg=40.0, min=5.0, max=95.0, count=8))
    return measurements


def test_thresholds_are_judged_against_the_measurements():
    verdicts = evaluate(parse_all({
        "session_start": ["p(95)<1000", "avg<400", "max<=1001"],
        "session_success": ["rate>0.95", "rate>=0.95"],
        "cpu_utilization": ["avg<80", "max<80"],
    }), measured())
    assert [(v.threshold.expression, v.passed) for v in verdicts] == [
        ("p(95)<1000", True), ("avg<400", False), ("max<=1001", True),
        ("rate>0.95", False), ("rate>=0.95", True), ("avg<80", True), ("max<80", False)]
    assert verdicts[0].measured == pytest.approx(950, rel=0.01)


def test_a_metric_with_no_data_fails_its_threshold():
    verdict, = evaluate([parse("memory_utilization", "avg<90")], Measurements())
    assert verdict.measured is None and not verdict.passed
    assert "no data" in table([verdict])


def test_the_table_shows_threshold_measured_value_and_verdict():
    text = table(evaluate(parse_all({"session_success": ["rate>0.95"]}), measured()))
    header, rule, row = text.splitlines()
    assert header.split() == ["metric", "threshold", "measured", "verdict"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert row.split() == ["session_success", "rate>0.95", "0.95", "FAIL"]
