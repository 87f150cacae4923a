"""Baselines in S3: every run is kept, and the next run of the same load is compared with it."""
import boto3
import pytest
from moto import mock_aws

from support.perf.baseline import BaselineStore, BaselineUnavailable, compare


def summary(p95, rate, failed=0.0):
    return {"session_start": {"kind": "trend", "count": 20, "p95": p95},
            "session_success": {"kind": "rate", "count": 20, "rate": rate},
            "http_req_failed": {"kind": "rate", "count": 20, "rate": failed},
            "cpu_utilization": {"kind": "summary", "count": 3, "avg": 20.0}}


def test_a_slower_p95_beyond_the_limit_is_a_regression():
    found = {(c.metric, c.aspect): c for c in compare(summary(1000, 1.0), summary(1300, 1.0), 25)}
    assert found[("session_start", "p95")].regression
    assert found[("session_start", "p95")].change_percent == pytest.approx(30)
    assert not found[("session_success", "rate")].regression


def test_changes_within_the_limit_are_not_regressions():
    assert not any(c.regression for c in compare(summary(1000, 1.0), summary(1200, 0.9), 25))


def test_a_lower_success_rate_beyond_the_limit_is_a_regression():
    found = {c.metric: c for c in compare(summary(1000, 1.0), summary(1000, 0.7), 25)}
    assert found["session_success"].regression


def test_a_higher_failure_rate_is_a_regression():
    found = {c.metric: c for c in compare(summary(1000, 1.0, failed=0.0), summary(1000, 1.0, failed=0.2), 25)}
    assert found["http_req_failed"].regression


def test_metrics_missing_from_either_run_are_skipped():
    assert compare({}, summary(1000, 1.0), 25) == []


@pytest.fixture
def s3():
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def test_the_first_run_becomes_the_baseline_and_the_next_is_compared_with_it(s3):
    store = BaselineStore(s3, "perf-baselines", create_bucket=True, regression_percent=25, profile_name="local")
    previous, comparisons = store.compare_and_store("burst", {"run": "r1", "metrics": summary(1000, 1.0)})
    assert previous is None and comparisons == []
    previous, comparisons = store.compare_and_store("burst", {"run": "r2", "metrics": summary(2000, 1.0)})
    assert previous["run"] == "r1"
    assert [c.metric for c in comparisons if c.regression] == ["session_start"]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="perf-baselines")["Contents"])
    assert keys == ["baselines/local/burst/latest.json", "baselines/local/burst/runs/r1.json",
                    "baselines/local/burst/runs/r2.json"]


def test_a_missing_bucket_is_not_created_unless_the_profile_allows_it(s3):
    store = BaselineStore(s3, "perf-baselines", create_bucket=False, regression_percent=25, profile_name="staging")
    assert store.previous("burst") is None
    with pytest.raises(BaselineUnavailable, match="perf-baselines"):
        store.store("burst", {"run": "r1", "metrics": {}})
