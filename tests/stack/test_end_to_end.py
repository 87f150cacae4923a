"""The whole preview platform as processes (moto, orchestrator, Hermes, router), used through the load balancer."""
import os
import signal
import uuid

import httpx
import pytest

from stack.settings import NAMES
from tests.stack.processes import Stack, wait_until

ACTIVATE = "/hermes/api/sessions/activate"
# Scale from zero: a worker process boots, then git, a build and uploads run; about a second here.
COLD_START_S = 15.0
# Idle timeout (1 s) plus the reaper's tick, the worker's release and its stop.
IDLE_SHUTDOWN_S = 10.0


def identity():
    return {"clientId": f"TEST_{uuid.uuid4().hex[:8]}", "userId": f"TEST_{uuid.uuid4().hex[:8]}@example.com"}


def edit_service(platform):
    ecs = platform.client("ecs")
    service = ecs.describe_services(cluster=NAMES["cluster"], services=[NAMES["edit_service"]])["services"][0]
    tasks = ecs.list_tasks(cluster=NAMES["cluster"], serviceName=NAMES["edit_service"])["taskArns"]
    return service["desiredCount"], service["runningCount"], len(tasks)


def sessions_of(platform, ids):
    """Session items of this client or user, straight from the table."""
    scan = platform.client("dynamodb").scan(
        TableName=NAMES["sessions_table"], FilterExpression="clientId = :c OR userId = :u",
        ExpressionAttributeValues={":c": {"S": ids["clientId"]}, ":u": {"S": ids["userId"]}})
    return scan["Items"]


def wait_for_zero(platform):
    wait_until(lambda: edit_service(platform), until=lambda counts: counts == (0, 0, 0), within=IDLE_SHUTDOWN_S,
               describe="the edit service to return to zero")


def kept_alive_status(lb, sid):
    """The session's status, after a keepalive so that it does not go idle while a test watches it."""
    lb.post(f"/hermes/api/sessions/{sid}/keepalive")
    return lb.get(f"/hermes/api/sessions/{sid}/status").json()


def activate_until_active(lb, instruction='Add a new page called "Test Page"'):
    answer = lb.post(ACTIVATE, json={**identity(), "instruction": instruction})
    assert answer.status_code == 201, answer.text
    sid = answer.json()["sessionId"]
    wait_until(lambda: kept_alive_status(lb, sid), until=lambda s: s["status"] == "active", within=COLD_START_S,
               describe=f"session {sid} to become active")
    return answer.json()


def test_a_session_goes_live_through_the_load_balancer_then_expires_back_to_zero(platform, lb):
    created = lb.post(ACTIVATE, json={**identity(), "instruction": 'Add a new page called "Test Page"'})

    assert created.status_code == 201 and created.json()["status"] == "initializing"
    sid = created.json()["sessionId"]
    assert created.json()["previewUrl"] == f"{platform.url('lb')}/session/{sid}"
    status = wait_until(lambda: kept_alive_status(lb, sid), until=lambda s: s["status"] == "active",
                        within=COLD_START_S, describe=f"session {sid} to become active")
    assert status["containerIp"] == "127.0.0.1" and status["instructionStatus"] == "done"
    assert lb.get(f"/session/{sid}/health").json() == {"status": "healthy", "sessionId": sid}
    index = lb.get(f"/session/{sid}")
    assert index.status_code == 200 and '<a href="test-page.html">Test Page</a>' in index.text
    assert "<title>Test Page</title>" in lb.get(f"/session/{sid}/test-page.html").text
    assert lb.get("/api/health").json() == {"status": "healthy"}
    key = {"sessionId": {"S": sid}}
    item = platform.client("dynamodb").get_item(TableName=NAMES["sessions_table"], Key=key)["Item"]
    assert item["editBranch"]["S"] == item["threadId"]["S"] and item["threadId"]["S"].startswith("thread-")
    assert item["fargateTaskArn"]["S"].endswith(item["containerId"]["S"])

    wait_until(lambda: lb.get(f"/hermes/api/sessions/{sid}/status").json()["status"], until=lambda s: s == "expired",
               within=IDLE_SHUTDOWN_S, describe=f"session {sid} to expire")
    wait_for_zero(platform)
    assert lb.get(f"/session/{sid}").status_code == 503
    assert lb.post(f"/hermes/api/sessions/{sid}/keepalive").json()["status"] == "expired"
    messages = [e["message"] for e in platform.client("logs").filter_log_events(
        logGroupName=NAMES["hermes_log_group"], filterPattern=f'"{sid}"')["events"]]
    assert any(m.startswith(f"Session activated session={sid} thread=thread-") for m in messages), messages


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda body: body.pop("clientId"), "clientId"),
        (lambda body: body.pop("userId"), "userId"),
        (lambda body: body.pop("instruction"), "instruction"),
        (lambda body: body.update(userId="../../etc"), "userId"),
        (lambda body: body.update(clientId="a/b"), "clientId"),
        (lambda body: body.update(clientId=7), "clientId"),
        (lambda body: body.update(instruction=42), "instruction"),
        (lambda body: body.update(instruction="   "), "instruction"),
        (lambda body: body.update(instruction="a" * 2001), "instruction"),
    ],
)
def test_a_malformed_activation_is_refused_naming_the_field_and_creates_nothing(platform, lb, change, field):
    ids = identity()
    body = {**ids, "instruction": "Create page A"}
    change(body)

    answer = lb.post(ACTIVATE, json=body)

    assert answer.status_code == 400 and answer.json()["error"] == "ValidationError"
    assert answer.json()["field"] == field and field in answer.json()["message"]
    assert sessions_of(platform, ids) == []
    assert edit_service(platform) == (0, 0, 0)


@pytest.mark.parametrize(
    "content, status",
    [(b"{not json", 400), (b"[]", 400), (b'{"clientId": "' + b"x" * 70_000 + b'"}', 413)],
)
def test_an_unreadable_or_oversized_body_is_refused(lb, content, status):
    answer = lb.post(ACTIVATE, content=content, headers={"Content-Type": "application/json"})
    assert answer.status_code == status and answer.json()["field"] == "body"


def test_unknown_sessions_and_bad_ids_get_404_and_400(lb):
    unknown = str(uuid.uuid4())
    assert lb.get(f"/session/{unknown}").json() == {"error": "NotFound", "message": "Session not found"}
    assert lb.get(f"/hermes/api/sessions/{unknown}/status").status_code == 404
    assert lb.post(f"/hermes/api/sessions/{unknown}/keepalive").json() == {"ttl": 0, "status": "expired"}
    assert lb.post(f"/hermes/api/sessions/{unknown}/deactivate").status_code == 404
    assert lb.get("/session/a..b").status_code == 400
    assert lb.get("/hermes/api/sessions/a..b/status").status_code == 400
    assert lb.get("/hermes/nowhere").json()["error"] == "NotFound"
    assert lb.get("/elsewhere").status_code == 404
    assert lb.get("/api/health").json() == {"error": "ServiceUnavailable", "message": "no healthy target"}


def test_capacity_is_refused_with_503_and_a_deactivated_session_drains(platform, lb):
    first = lb.post(ACTIVATE, json={**identity(), "instruction": "Create page A"})
    crowd = identity()

    refused = lb.post(ACTIVATE, json={**crowd, "instruction": "Create page B"})

    assert first.status_code == 201
    assert refused.status_code == 503 and refused.json()["error"] == "CapacityExhausted"
    assert sessions_of(platform, crowd) == []
    sid = first.json()["sessionId"]
    assert lb.post(f"/hermes/api/sessions/{sid}/deactivate").json() == {
        "status": "draining", "message": "Session deactivation initiated"}
    wait_until(lambda: lb.get(f"/hermes/api/sessions/{sid}/status").json()["status"], until=lambda s: s == "expired",
               within=IDLE_SHUTDOWN_S, describe=f"session {sid} to expire after deactivation")
    wait_for_zero(platform)


def test_a_crashed_task_is_replaced_and_the_session_follows_it(platform, lb):
    sid = activate_until_active(lb)["sessionId"]
    before = kept_alive_status(lb, sid)
    ecs = platform.client("ecs")
    arn = ecs.list_tasks(cluster=NAMES["cluster"], serviceName=NAMES["edit_service"])["taskArns"][0]

    os.kill(platform.worker_pid(arn), signal.SIGKILL)

    after = wait_until(lambda: kept_alive_status(lb, sid),
                       until=lambda s: s["containerPort"] != before["containerPort"] and s["status"] == "active",
                       within=COLD_START_S, describe=f"session {sid} to move to a replacement task")
    assert after["containerPort"] != before["containerPort"]
    assert "Test Page" in lb.get(f"/session/{sid}").text
    lb.post(f"/hermes/api/sessions/{sid}/deactivate")
    wait_for_zero(platform)


def test_a_reset_forgets_every_session_and_returns_the_edit_service_to_zero(platform, lb):
    """The fault matrix's way back to rest between scenarios (tests/stack_lane.py), on Hermes's own port only."""
    ids = identity()
    sid = lb.post(ACTIVATE, json={**ids, "instruction": "Create page A"}).json()["sessionId"]
    assert lb.post("/control/reset").status_code == 404

    answer = httpx.post(platform.url("hermes") + "/control/reset", timeout=10)

    assert answer.status_code == 200 and answer.json()["sessions_ended"] == 1
    assert sessions_of(platform, ids) == []
    assert lb.get(f"/hermes/api/sessions/{sid}/status").status_code == 404
    wait_for_zero(platform)


def test_faults_that_show_at_activation(scratch, aws):
    stack = Stack(scratch, aws, ["ecs", "hermes", "lb"],
                  faults=["malformed_activation_accepted", "no_scale_up", "preview_not_served"])
    try:
        with httpx.Client(base_url=stack.url("lb")) as lb:
            answer = lb.post(ACTIVATE, json={"clientId": "TEST_fault", "instruction": "Create page A"})
            assert answer.status_code == 201
            sid = answer.json()["sessionId"]
            assert lb.get(f"/hermes/api/sessions/{sid}/status").json()["status"] == "initializing"
            assert edit_service(stack)[0] == 0
            assert lb.get(f"/session/{sid}").status_code == 404
    finally:
        stack.stop()


def test_fault_session_not_recorded_answers_but_writes_no_item(scratch, aws):
    stack = Stack(scratch, aws, ["ecs", "hermes"], faults=["session_not_recorded"])
    try:
        answer = httpx.post(stack.url("hermes", ACTIVATE), json={**identity(), "instruction": "Create page A"})
        assert answer.status_code == 201
        status = httpx.get(stack.url("hermes", f"/hermes/api/sessions/{answer.json()['sessionId']}/status"))
        assert status.status_code == 404
    finally:
        stack.stop()


def test_faults_that_show_at_idle_shutdown(scratch, aws):
    stack = Stack(scratch, aws, ["ecs", "hermes", "lb"], idle_timeout_s=0.5,
                  faults=["idle_shutdown_disabled", "session_never_expires"])
    try:
        with httpx.Client(base_url=stack.url("lb")) as lb:
            sid = lb.post(ACTIVATE, json={**identity(), "instruction": "Create page A"}).json()["sessionId"]
            logs = stack.client("logs")
            wait_until(lambda: [e["message"] for e in logs.filter_log_events(
                logGroupName=NAMES["hermes_log_group"], filterPattern=f'"{sid}"')["events"]],
                until=lambda messages: any(m.startswith("Session expired") for m in messages), within=COLD_START_S,
                describe=f"Hermes to end session {sid}")
            assert lb.get(f"/hermes/api/sessions/{sid}/status").json()["status"] == "active"
            assert edit_service(stack)[0] == 1
    finally:
        stack.stop()
