"""The cost estimate adds up what the target reports, priced with the profile's prices."""
import pytest

from support.config import load_profile
from support.costs import RunAccount, RunCost, RunOverBudget, ScenarioCost
from support.preview.costs import Usage, estimate_usd, task_seconds_within

PRICES = load_profile("local").area("preview")["costs"]["prices"]


def test_only_the_part_of_a_task_inside_the_window_counts():
    tasks = [{"startedAt": 90.0, "stoppedAt": 105.0},   # 5 s inside [100, 120]
             {"startedAt": 110.0},                       # still running: 10 s
             {"startedAt": 130.0, "stoppedAt": 140.0},   # after the window
             {"lastStatus": "PENDING"}]                  # never started
    assert task_seconds_within(tasks, 100.0, 120.0) == pytest.approx(15.0)


def test_one_task_hour_costs_the_fargate_price_of_its_size():
    hour = estimate_usd(Usage(container_seconds=3600), PRICES)
    assert hour == pytest.approx(0.25 * 0.04048 + 0.5 * 0.004445)


def test_requests_and_logs_are_priced_per_million_and_per_gigabyte():
    usage = Usage(dynamodb_reads=1_000_000, dynamodb_writes=1_000_000, log_bytes=1_000_000_000)
    assert estimate_usd(usage, PRICES) == pytest.approx(0.25 + 1.25 + 0.50)


def test_the_run_summary_gives_success_rate_usage_and_total():
    run = RunCost(scenarios=[ScenarioCost("preview", "a", "passed", 1.0, 0.5, {"container_seconds": 2.0}),
                             ScenarioCost("studio", "b", "failed", 1.0, 0.25, {"container_seconds": 1.0})])
    summary = run.summary()
    assert summary["success_rate"] == 0.5
    assert summary["estimated_usd"] == 0.75
    assert summary["usage"]["container_seconds"] == 3.0
    assert "0.750000 USD of 1 USD allowed" in run.table(1)


def test_a_run_over_its_cost_limit_fails_and_still_writes_its_report(tmp_path):
    report = tmp_path / "run-cost.json"
    account = RunAccount({"run_limit_usd": 0.5, "publish_metrics": False, "metrics_namespace": "x",
                          "report_file": str(report)}, "local")
    account.add(ScenarioCost("preview", "a", "passed", 1.0, 0.75))
    said = []
    with pytest.raises(RunOverBudget, match="0.750000 USD is over costs.run_limit_usd"):
        account.close(said.append)
    assert report.exists() and "0.750000 USD of 0.5 USD allowed" in said[0]
