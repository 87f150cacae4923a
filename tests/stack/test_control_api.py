"""The chaos control APIs: the orchestrator kills a task's process, Hermes throttles its session store.

Both refuse malformed input with a 4xx JSON reason, and neither is reachable through the load
balancer.
"""
import uuid
from pathlib import Path

import httpx
import pytest

from stack.settings import NAMES
from tests.stack.processes import wait_until
from tests.stack.test_end_to_end import (
    ACTIVATE, COLD_START_S, activate_until_active, edit_service, identity, sessions_of, wait_for_zero,
)

THROTTLE = "/control/session-store/throttle"


@pytest.fixture
def hermes(platform):
    with httpx.Client(base_url=platform.url("hermes"), timeout=30) as client:
        yield client
        client.delete(THROTTLE)


@pytest.mark.parametrize(
    "content, status, field",
    [
        (b"{}", 400, "body"),
        (b"[]", 400, "body"),
        (b"{not json", 400, "body"),
        (b'{"writes": "3"}', 400, "writes"),
        (b'{"writes": 0}', 400, "writes"),
        (b'{"writes": true}', 400, "writes"),
        (b'{"writes": 1001}', 400, "writes"),
        (b'{"seconds": -1}', 400, "seconds"),
        (b'{"writes": 1, "seconds": 1}', 400, "body"),
        (b'{"colour": "red"}', 400, "colour"),
        (b'{"writes": "' + b"9" * 70_000 + b'"}', 413, None),
    ],
)
def test_a_malformed_throttle_request_is_refused_and_throttles_nothing(hermes, content, status, field):
    answer = hermes.post(THROTTLE, content=content, headers={"Content-Type": "application/json"})

    assert answer.status_code == status and "message" in answer.json()
    assert answer.json().get("field") == field or field is None
    assert hermes.get(THROTTLE).json()["active"] is False


def test_a_throttled_activation_asks_to_try_again_and_leaves_nothing(platform, lb, hermes):
    ids = identity()
    # Hermes does not retry an activation's write: one refusal fails one activation.
    assert hermes.post(THROTTLE, json={"writes": 1}).json()["active"] is True

    refused = lb.post(ACTIVATE, json={**ids, "instruction": "Create page A"})

    assert refused.status_code == 429 and "try again" in refused.json()["message"]
    assert hermes.get(THROTTLE).json() == {"active": False, "writesLeft": 0, "secondsLeft": 0, "throttled": 1}
    assert sessions_of(platform, ids) == []
    assert edit_service(platform) == (0, 0, 0)
    assert not (Path(platform.settings["workspace_root"]) / ids["clientId"]).exists()


def test_throttling_for_a_while_ends_when_asked(lb, hermes):
    hermes.post(THROTTLE, json={"seconds": 60})
    assert lb.post(ACTIVATE, json={**identity(), "instruction": "Create page A"}).status_code == 429

    assert hermes.delete(THROTTLE).json()["active"] is False
    answer = lb.post(ACTIVATE, json={**identity(), "instruction": "Create page A"})
    assert answer.status_code == 201
    lb.post(f"/hermes/api/sessions/{answer.json()['sessionId']}/deactivate")


def test_the_control_apis_are_not_behind_the_load_balancer(lb):
    assert lb.post(THROTTLE, json={"writes": 1}).status_code == 404
    assert lb.post(f"/control/tasks/{uuid.uuid4().hex}/crash").status_code == 404


@pytest.mark.parametrize(
    "task_id, status",
    [("..%2F..%2Fetc", 400), ("abc", 400), ("A" * 32, 400), ("0123456789abcdef" * 2, 404)],
)
def test_crashing_a_task_that_is_not_there_is_refused(platform, task_id, status):
    answer = httpx.post(platform.url("ecs", f"/control/tasks/{task_id}/crash"))

    assert answer.status_code == status and "message" in answer.json()


def test_a_crashed_task_dies_like_a_killed_process_and_is_replaced(platform, lb):
    sid = activate_until_active(lb)["sessionId"]
    ecs = platform.client("ecs")
    arn = ecs.list_tasks(cluster=NAMES["cluster"], serviceName=NAMES["edit_service"])["taskArns"][0]
    crash = platform.url("ecs", f"/control/tasks/{arn.rsplit('/', 1)[-1]}/crash")

    assert httpx.post(crash).json() == {"taskArn": arn, "signal": "SIGKILL"}

    def stopped():
        return ecs.describe_tasks(cluster=NAMES["cluster"], tasks=[arn])["tasks"][0]

    task = wait_until(stopped, until=lambda t: t["lastStatus"] == "STOPPED", within=COLD_START_S,
                      describe=f"task {arn} to stop")
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["containers"][0]["exitCode"] == 137
    assert httpx.post(crash).status_code == 409
    wait_until(lambda: ecs.list_tasks(cluster=NAMES["cluster"], serviceName=NAMES["edit_service"])["taskArns"],
               until=lambda arns: arns and arn not in arns, within=COLD_START_S, describe="a replacement task")
    lb.post(f"/hermes/api/sessions/{sid}/deactivate")
    wait_for_zero(platform)
