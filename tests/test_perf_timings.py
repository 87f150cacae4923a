"""HDR timings: percentiles are exact to the histogram's precision, whatever the run's length."""
import pytest

from support.perf.timings import Measurements, Rate, Summary, Trend


def test_percentiles_of_a_known_distribution():
    trend = Trend()
    for ms in range(1, 1001):
        trend.record(ms)
    assert trend.count == 1000
    assert trend.percentile(50) == pytest.approx(500, rel=0.002)
    assert trend.percentile(95) == pytest.approx(950, rel=0.002)
    assert trend.percentile(99) == pytest.approx(990, rel=0.002)
    assert trend.aggregate("max") == pytest.approx(1000, rel=0.002)
    assert trend.aggregate("avg") == pytest.approx(500.5, rel=0.002)


def test_sub_millisecond_values_keep_their_precision():
    trend = Trend()
    trend.record(0.25)
    assert trend.aggregate("min") == pytest.approx(0.25, rel=0.002)


def test_a_tail_is_not_averaged_away():
    trend = Trend()
    for _ in range(990):
        trend.record(10)
    for _ in range(10):
        trend.record(5000)
    assert trend.percentile(99) == pytest.approx(10, rel=0.002)
    assert trend.percentile(99.5) == pytest.approx(5000, rel=0.002)


def test_values_out_of_range_are_clamped_not_lost():
    trend = Trend()
    trend.record(-3)
    trend.record(10 ** 12)
    assert trend.count == 2


def test_memory_does_not_grow_with_the_number_of_samples():
    trend = Trend()
    size = len(trend.histogram.counts)
    for ms in range(100_000):
        trend.record(ms % 5000)
    assert len(trend.histogram.counts) == size


def test_an_empty_metric_has_no_aggregates():
    assert Trend().aggregate("avg") is None
    assert Rate().aggregate("rate") is None
    assert Summary().aggregate("avg") is None
    assert Trend().summary() == {"count": 0}


def test_a_rate_is_the_share_that_passed():
    rate = Rate()
    for passed in (True, True, False, True):
        rate.record(passed)
    assert rate.aggregate("rate") == 0.75
    assert rate.summary() == {"count": 4, "passes": 3, "rate": 0.75}


def test_measurements_summarise_every_metric_in_recording_order():
    measurements = Measurements()
    measurements.trend("stage_b").record(5)
    measurements.trend("stage_a").record(7)
    measurements.rate("session_success").record(True)
    summary = measurements.summary()
    assert list(summary) == ["stage_b", "stage_a", "session_success"]
    assert summary["stage_a"]["kind"] == "trend" and summary["stage_a"]["count"] == 1
    assert measurements.aggregate("unknown", "avg") is None
