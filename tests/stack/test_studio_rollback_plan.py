"""The rollback plan of a promotion runs as a cleanup when a later step of the scenario fails:
the load test started under the promotion is cancelled and the routing is put back."""
import json
import os
import subprocess
import sys
import tempfile

import httpx
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A scenario whose last step fails while the failing variant is promoted and under load.
DRILL = """@studio
Feature: Rollback drill
  Scenario: A step fails while a promoted variant is under load
    Given the studio's golden dataset is available
    And the effect's routing is in place
    And the operator has promoted the failing variant with its rollback plan registered
    When the operator starts the sustained load test on the promoted variant
    Then the load test is reported as completed
"""


def stack_cli(*args, state):
    return subprocess.run([sys.executable, "-m", "stack", *args, "--state", state], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def stack(tmp_path):
    """A stack the drill's behave run attaches to, so that it can be inspected after behave ends."""
    state = str(tmp_path / "state.json")
    up = stack_cli("up", state=state)
    assert up.returncode == 0, up.stdout + up.stderr
    with open(state) as handle:
        yield state, json.load(handle)
    stack_cli("down", state=state)


def admin(state):
    return httpx.Client(base_url=state["endpoints"]["studio"] + "/api/admin/studio", timeout=10,
                        headers={"Host": "golden.studio.test", "Authorization": "Bearer studio-local-admin-token"})


def test_the_rollback_plan_runs_when_a_step_fails(stack, tmp_path):
    state_path, state = stack
    studio = admin(state)
    before = studio.get("/routing/effect-revisions/101").json()["data"]["active_binding"]
    # behave finds steps/ and environment.py by walking up from the feature, so the drill lives in
    # the repository's git-ignored .stack/ directory.
    os.makedirs(os.path.join(ROOT, ".stack"), exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rollback-drill-", dir=os.path.join(ROOT, ".stack")) as drill:
        feature = os.path.join(drill, "rollback_drill.feature")
        with open(feature, "w") as handle:
            handle.write(DRILL)
        run = subprocess.run(
            [sys.executable, "-m", "behave", feature, "--no-junit", "--format", "plain", "--no-capture"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "ACCEPTANCE_STACK_STATE": state_path, "ACCEPTANCE_PROFILE": "local",
                 "ALLURE_RESULTS_DIR": str(tmp_path / "allure-results")},
        )
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "Then the load test is reported as completed ... failed" in output, output

    (load_test,) = [r for r in studio.get("/load-test-runs").json()["data"] if r["execution_environment_id"] == 25]
    assert load_test["status"] == "cancelled", load_test
    after = studio.get("/routing/effect-revisions/101").json()["data"]["active_binding"]
    assert after["variant_id"] == before["variant_id"] and after["id"] != before["id"], (before, after)
    logs = studio.get("/action-logs", params={"module": "routing"}).json()["data"]
    assert [entry["event"] for entry in logs][:2] == ["routing_binding_rolled_back", "routing_binding_applied"]
