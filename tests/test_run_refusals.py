"""A run that cannot work stops before the first scenario with one clear message."""
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def behave(tmp_path, profile, env=None):
    return subprocess.run(
        [sys.executable, "-m", "behave", "--no-junit", "-D", f"profile={profile}", "--format", "plain"],
        cwd=ROOT, env={**os.environ, "ACCEPTANCE_STACK_STATE": str(tmp_path / "state.json"),
                      "ALLURE_RESULTS_DIR": str(tmp_path / "results"), **(env or {})},
        capture_output=True, text=True, timeout=60,
    )


def test_a_bad_profile_names_file_and_key_and_runs_nothing(tmp_path):
    with open(os.path.join(ROOT, "config/profiles/local.yaml")) as handle:
        data = yaml.safe_load(handle)
    data["preview"]["budgets"]["cold_start"] = "soon"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    result = behave(tmp_path, str(path))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "bad.yaml: key 'preview.budgets' is" in output
    assert "Traceback" not in output
    assert "0 scenarios passed, 0 failed" in output or "scenarios passed" not in output, "nothing may run"


def test_an_unreachable_load_balancer_stops_the_run_before_any_scenario(tmp_path):
    result = behave(tmp_path, "staging", env={"PREVIEW_ALB_URL": "http://127.0.0.1:9"})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert output.count("the load balancer at http://127.0.0.1:9 is unreachable") == 1
    assert "Traceback" not in output
    assert "0 scenarios passed, 0 failed" in output, "no scenario may run against an unreachable target"
