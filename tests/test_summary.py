"""The summary counts, explains and dates a run from its Allure results, and hides secrets."""
import json
import os
import platform
import subprocess
import sys
import uuid

import pytest

from support import summary
from support.redact import redact, redact_value

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LONG = "Expected: the session is recorded as active " + "x" * 300


def write_result(folder, name, status, feature, epic="Preview platform", message=None, start=1_700_000_000_000,
                 seconds=2, history_id=None):
    result = {"name": name, "status": status, "uuid": str(uuid.uuid4()), "historyId": history_id or name,
              "start": start, "stop": start + seconds * 1000,
              "labels": [{"name": "feature", "value": feature}, {"name": "epic", "value": epic}]}
    if message is not None:
        result["statusDetails"] = {"message": message, "trace": "Traceback ..."}
    (folder / f"{result['uuid']}-result.json").write_text(json.dumps(result))


@pytest.fixture
def results(tmp_path):
    """Results as two behave processes leave them in one folder, with every status and a secret."""
    folder = tmp_path / "allure-results"
    folder.mkdir()
    base = 1_700_000_000_000
    write_result(folder, "A new session starts a container", "passed", "Cold start", start=base)
    write_result(folder, "An idle session is shut down", "failed", "Cold start", message=LONG + "\nsecond line",
                 start=base + 5_000)
    write_result(folder, "A crashed container is replaced", "broken", "Recovery",
                 message="ConnectError: connection refused", start=base + 1_000)
    write_result(folder, "The store throttles", "skipped", "Recovery",
                 message="skipped: the target has no store_throttling", start=base + 2_000)
    write_result(folder, "A variant's id is stable", "passed", "Rules", epic="Studio admin", start=base + 60_000,
                 seconds=30)
    write_result(folder, "A two-minute load", "skipped", "Sustained load", start=base + 3_000,
                 message="not selected by the tags (not slow)")
    (folder / "environment.properties").write_text(
        "profile=staging\ntarget=aws\npreview.load_balancer=https://qa:hunter2@alb.example.com/?token=abc&region=eu\n"
        "studio.base_url=https://studio.example.com\n"
        "credentials.secret_access_key=wJalrXUtnFEMI\nsuite.version=v1.2-3-gabcdef\npython.version=3.11.2\n"
        "behave.version=1.3.3\nstack.version=abc1234 (moto 5.2.5)\n")
    return folder


def test_counts_per_area_and_feature_and_the_verdict(results):
    found = summary.summarise(str(results))
    assert found["verdict"] == "failed" and found["not_selected"] == 1
    assert found["totals"] == {"passed": 2, "failed": 1, "broken": 1, "skipped": 1, "unknown": 0}
    by_feature = {(area["name"], feature["name"]): feature["counts"]
                  for area in found["areas"] for feature in area["features"]}
    assert by_feature == {
        ("Preview platform", "Cold start"): {"passed": 1, "failed": 1, "broken": 0, "skipped": 0, "unknown": 0},
        ("Preview platform", "Recovery"): {"passed": 0, "failed": 0, "broken": 1, "skipped": 1, "unknown": 0},
        ("Studio admin", "Rules"): {"passed": 1, "failed": 0, "broken": 0, "skipped": 0, "unknown": 0},
    }


def test_each_failure_and_skip_has_its_shortened_reason(results):
    problems = summary.summarise(str(results))["problems"]
    assert [(p["status"], p["scenario"]) for p in problems] == [
        ("failed", "An idle session is shut down"), ("broken", "A crashed container is replaced"),
        ("skipped", "The store throttles")]
    assert problems[0]["reason"] == LONG[:summary.REASON_LENGTH - 1] + "…"
    assert problems[1]["reason"] == "ConnectError: connection refused"
    assert problems[2]["reason"] == "skipped: the target has no store_throttling"


def test_the_run_time_spans_the_first_start_to_the_last_stop(results):
    assert summary.summarise(str(results))["time"] == {
        "start": "2023-11-14T22:13:20+00:00", "stop": "2023-11-14T22:14:50+00:00", "seconds": 90.0}


def test_a_scenario_written_twice_counts_once_by_its_latest_result(results):
    write_result(results, "An idle session is shut down", "passed", "Cold start", start=1_700_000_100_000)
    found = summary.summarise(str(results))
    assert found["totals"] == {"passed": 3, "failed": 0, "broken": 1, "skipped": 1, "unknown": 0}


def test_a_scenario_that_ran_counts_over_its_later_skip(results):
    write_result(results, "An idle session is shut down", "skipped", "Cold start", start=1_700_000_100_000,
                 message="not selected by the tags (smoke)")
    found = summary.summarise(str(results))
    assert found["totals"] == {"passed": 2, "failed": 1, "broken": 1, "skipped": 1, "unknown": 0}


def test_secrets_in_the_environment_are_hidden(results):
    environment = summary.summarise(str(results))["environment"]
    assert environment["preview.load_balancer"] == "https://qa:***@alb.example.com/?token=***&region=eu"
    assert environment["credentials.secret_access_key"] == "***"
    assert redact_value("key AKIAABCDEFGHIJKLMNOP used") == "key *** used"
    assert redact({"target": "embedded"}) == {"target": "embedded"}


def test_the_page_leads_with_a_short_headline_then_details(results, tmp_path):
    out = tmp_path / "reports"
    summary.write_summary(str(results), str(out))
    page = (out / "summary.md").read_text()
    headline = page.split("\n## ")[0].strip().splitlines()
    assert len(headline) <= 10, headline
    assert headline[0] == ("# Acceptance run FAILED: 5 scenarios, 2 passed, 1 failed, 1 broken, 1 skipped"
                           " (1 more not selected by the tags)")
    assert ("- versions: suite v1.2-3-gabcdef, Python 3.11.2, behave 1.3.3, stack abc1234 (moto 5.2.5)"
            in headline)
    assert ("- profile: staging (aws); targets: preview.load_balancer https://qa:***@alb.example.com/?token=***&region=eu,"
            " studio.base_url https://studio.example.com") in headline
    assert "| Preview platform | Recovery | 0 | 0 | 1 | 1 |" in page
    assert "hunter2" not in page and "wJalrXUtnFEMI" not in page
    assert json.loads((out / "summary.json").read_text())["totals"]["broken"] == 1


@pytest.mark.parametrize("make_folder, reason", [
    (lambda path: path / "missing", "no results folder"),
    (lambda path: path, "holds no Allure result files"),
])
def test_an_empty_or_missing_folder_is_refused_with_a_reason(tmp_path, make_folder, reason):
    run = subprocess.run([sys.executable, "-m", "support.summary", str(make_folder(tmp_path)), str(tmp_path / "o")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and reason in run.stderr, run.stderr


def test_two_behave_processes_in_one_folder_make_one_summary(tmp_path):
    results = tmp_path / "allure-results"
    env = {**os.environ, "ACCEPTANCE_STACK_STATE": str(tmp_path / "state.json"), "STACK_FAULTS": "",
           "ALLURE_RESULTS_DIR": str(results)}
    for selection in (["--name", "A variant's id is stable"], ["--tags", "@costly"]):
        run = subprocess.run([sys.executable, "-m", "behave", "features/studio/rules.feature", "--no-junit",
                              "-f", "null", *selection], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=180)
        assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run([sys.executable, "-m", "support.summary", str(results), str(tmp_path / "reports")],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.stdout.strip() == f"summary: {tmp_path / 'reports' / 'summary.md'}", run.stderr
    found = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert (found["scenarios"], found["totals"]["passed"], found["not_selected"]) == (4, 4, 2)
    assert found["problems"] == []
    assert found["environment"]["python.version"] == platform.python_version()
    assert found["environment"]["stack.version"].endswith("(moto 5.2.5)")


def test_the_drivers_a_run_called_are_in_the_summary(tmp_path):
    from support.drivers import DriverCalls
    results = tmp_path / "results"
    results.mkdir()
    (results / "a-result.json").write_text(json.dumps({"name": "one", "status": "passed", "start": 1, "stop": 2}))
    calls = DriverCalls()
    calls.select("chaos", "ecs")
    calls.record("chaos", "StopTask")
    calls.select("mailbox", "s3_inbox")
    calls.write(str(results))
    found = summary.summarise(str(results))
    assert found["drivers"] == {"chaos": {"driver": "ecs", "calls": {"StopTask": 1}},
                                "mailbox": {"driver": "s3_inbox", "calls": {}}}
    assert "- drivers: chaos: ecs StopTask ×1; mailbox: s3_inbox not called\n" in summary.render_markdown(found)
