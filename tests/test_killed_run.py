"""A run killed mid-scenario leaves work behind; the sweep removes it, and a full run leaves nothing."""
import json
import os
import signal
import subprocess
import sys

import boto3
import pytest

from support.config import Budget
from support.waits import eventually

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRST_EDIT = "A first instruction starts a container and shows the change"


@pytest.fixture
def stack(tmp_path):
    """A stack that outlives the behave runs attached to it, like `make stack`."""
    state = str(tmp_path / "state.json")
    up = subprocess.run([sys.executable, "-m", "stack", "up", "--state", state], cwd=ROOT, capture_output=True,
                        text=True, timeout=60)
    assert up.returncode == 0, up.stdout + up.stderr
    with open(state) as handle:
        yield json.load(handle), state, tmp_path
    subprocess.run([sys.executable, "-m", "stack", "down", "--state", state], cwd=ROOT, timeout=60)


def aws(info, service):
    return boto3.client(service, endpoint_url=info["endpoints"]["aws"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def leftovers(info):
    """Everything of any test run still on the stack."""
    names = info["names"]
    items = aws(info, "dynamodb").scan(TableName=names["sessions_table"])["Items"]
    sessions = [i["sessionId"]["S"] for i in items if i.get("clientId", {}).get("S", "").startswith("TEST_")]
    objects = aws(info, "s3").list_objects_v2(Bucket=names["preview_bucket"], Prefix="TEST_").get("KeyCount", 0)
    workspaces = [d for d in os.listdir(info["workspace_root"]) if d.startswith("TEST_")]
    return {"sessions": sessions, "objects": objects, "workspaces": workspaces}


def edit_tasks(info):
    ecs = boto3.client("ecs", endpoint_url=info["endpoints"]["ecs"], region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    service = ecs.describe_services(cluster=info["names"]["cluster"], services=[info["names"]["edit_service"]])
    return service["services"][0]["runningCount"]


def behave(env, *args):
    return subprocess.Popen([sys.executable, "-m", "behave", "--no-junit", "--format", "plain",
                             "features/preview/cold_start.feature", "--name", FIRST_EDIT, *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_killed_run_is_swept_and_the_next_run_leaves_nothing(stack):
    info, state, tmp_path = stack
    env = {**os.environ, "ACCEPTANCE_STACK_STATE": state, "ALLURE_RESULTS_DIR": str(tmp_path / "results"),
           "STACK_FAULTS": ""}

    killed = behave(env)
    eventually(lambda: leftovers(info), until=lambda found: found["sessions"] and found["workspaces"],
               within=Budget("session_started", 20), describe="the run to start a session", report=False)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    assert any(leftovers(info).values()), "a run killed mid-scenario leaves its session behind"

    sweep = subprocess.run([sys.executable, "-m", "support.sweep", "--profile", "local"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert sweep.returncode == 0, sweep.stdout + sweep.stderr
    assert "removed 1 session items" in sweep.stdout, sweep.stdout
    assert leftovers(info) == {"sessions": [], "objects": 0, "workspaces": []}
    eventually(lambda: edit_tasks(info), until=lambda running: running == 0, within=Budget("scale_down", 15),
               describe="the swept session's edit task to stop", report=False)

    next_run = behave(env)
    output, _ = next_run.communicate(timeout=120)
    assert next_run.returncode == 0, output
    assert "swept run" in output and "0 session items, 0 preview objects, 0 workspaces" in output, output
    assert leftovers(info) == {"sessions": [], "objects": 0, "workspaces": []}
