"""The orchestrator through an unchanged boto3 `ecs` client, with real worker processes as tasks."""
import os
import signal
import uuid

import httpx
import pytest
from botocore.exceptions import ClientError

from stack.settings import NAMES
from tests.stack.processes import Stack, wait_until

CLUSTER, EDIT = NAMES["cluster"], NAMES["edit_service"]
# Two workers start in parallel in about a second; a replacement needs a stop and a start.
SCALE_WITHIN_S = 15.0


@pytest.fixture
def orchestrator(stack_factory):
    return stack_factory("ecs")


@pytest.fixture(scope="module")
def idle_orchestrator(scratch, aws):
    """One orchestrator for the tests that change nothing."""
    stack = Stack(scratch, aws, ["ecs"])
    yield stack
    stack.stop()


def running(ecs):
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=EDIT)["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []
    return [t for t in tasks if t["lastStatus"] == "RUNNING"]


def counts(ecs):
    service = ecs.describe_services(cluster=CLUSTER, services=[EDIT])["services"][0]
    return service["desiredCount"], service["runningCount"], service["pendingCount"]


def scale(ecs, count):
    ecs.update_service(cluster=CLUSTER, service=EDIT, desiredCount=count)

    def settled(tasks):
        return len(tasks) == count and counts(ecs) == (count, count, 0)

    return wait_until(lambda: running(ecs), until=settled, within=SCALE_WITHIN_S,
                      describe=f"the edit service to run {count} task(s)")


def test_the_cluster_and_both_services_are_described(idle_orchestrator):
    ecs = idle_orchestrator.client("ecs")

    clusters = ecs.describe_clusters(clusters=[CLUSTER, "nope"])
    services = ecs.describe_services(cluster=CLUSTER, services=[NAMES["hermes_service"], EDIT])["services"]

    assert clusters["clusters"][0]["clusterArn"] == f"arn:aws:ecs:us-east-1:123456789012:cluster/{CLUSTER}"
    assert clusters["failures"] == [{"arn": "nope", "reason": "MISSING"}]
    hermes, edit = services
    assert (hermes["desiredCount"], hermes["runningCount"]) == (1, 1)
    assert (edit["desiredCount"], edit["runningCount"], edit["launchType"]) == (0, 0, "FARGATE")
    assert edit["serviceArn"].endswith(f":service/{CLUSTER}/{EDIT}")
    assert edit["deployments"][0]["status"] == "PRIMARY"


def test_scaling_up_runs_live_workers_a_killed_one_is_replaced_and_zero_leaves_nothing(orchestrator):
    ecs = orchestrator.client("ecs")

    tasks = scale(ecs, 2)
    for task in tasks:
        port = task["containers"][0]["networkBindings"][0]["hostPort"]
        assert httpx.get(f"http://127.0.0.1:{port}/health").json() == {
            "status": "healthy", "taskArn": task["taskArn"], "session": None}
        assert task["group"] == f"service:{EDIT}" and task["startedAt"] >= task["createdAt"]

    victim = tasks[0]
    os.kill(orchestrator.worker_pid(victim["taskArn"]), signal.SIGKILL)
    stopped = wait_until(lambda: ecs.describe_tasks(cluster=CLUSTER, tasks=[victim["taskArn"]])["tasks"][0],
                         until=lambda t: t["lastStatus"] == "STOPPED", within=SCALE_WITHIN_S,
                         describe="the killed task to be recorded as stopped")
    assert stopped["stoppedReason"] == "Essential container in task exited"
    assert stopped["containers"][0]["exitCode"] == 137
    replaced = wait_until(lambda: running(ecs), until=lambda ts: len(ts) == 2, within=SCALE_WITHIN_S,
                          describe="a replacement task to run")
    assert victim["taskArn"] not in {t["taskArn"] for t in replaced}

    scale(ecs, 0)
    assert ecs.list_tasks(cluster=CLUSTER, serviceName=EDIT)["taskArns"] == []
    stopped_arns = ecs.list_tasks(cluster=CLUSTER, serviceName=EDIT, desiredStatus="STOPPED")["taskArns"]
    assert len(stopped_arns) == 3
    reasons = {t["stoppedReason"] for t in ecs.describe_tasks(cluster=CLUSTER, tasks=stopped_arns)["tasks"]}
    assert any(reason.startswith("Scaling activity initiated by (deployment ecs-svc/") for reason in reasons)


def test_scale_in_stops_a_task_without_a_session_first(orchestrator):
    ecs = orchestrator.client("ecs")
    tasks = scale(ecs, 2)
    holder = tasks[1]
    port = holder["containers"][0]["networkBindings"][0]["hostPort"]
    work = {"sessionId": str(uuid.uuid4()), "clientId": "TEST_orch", "userId": f"TEST_{uuid.uuid4().hex[:8]}",
            "threadId": "thread-0000abcd", "instruction": "Create page A"}
    assert httpx.post(f"http://127.0.0.1:{port}/work", json=work, timeout=30).json()["status"] == "done"

    left = scale(ecs, 1)

    assert [t["taskArn"] for t in left] == [holder["taskArn"]]


def test_run_task_and_stop_task_manage_a_standalone_task(orchestrator):
    ecs = orchestrator.client("ecs")

    task = ecs.run_task(cluster=CLUSTER, taskDefinition="webordinary-edit")["tasks"][0]
    wait_until(lambda: ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0]["lastStatus"],
               until=lambda status: status == "RUNNING", within=SCALE_WITHIN_S, describe="the standalone task to run")
    assert task["group"] == "family:webordinary-edit"
    assert counts(ecs) == (0, 0, 0)

    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="done with it")
    stopped = wait_until(lambda: ecs.describe_tasks(cluster=CLUSTER, tasks=[task["taskArn"]])["tasks"][0],
                         until=lambda t: t["lastStatus"] == "STOPPED", within=SCALE_WITHIN_S,
                         describe="the standalone task to stop")
    assert stopped["stoppedReason"] == "done with it"


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda ecs: ecs.describe_services(cluster="nope", services=[EDIT]), "ClusterNotFoundException"),
        (lambda ecs: ecs.update_service(cluster=CLUSTER, service="nope", desiredCount=1), "ServiceNotFoundException"),
        (lambda ecs: ecs.update_service(cluster=CLUSTER, service=EDIT, desiredCount=-1), "InvalidParameterException"),
        (lambda ecs: ecs.list_tasks(cluster=CLUSTER, serviceName="nope"), "ServiceNotFoundException"),
        (lambda ecs: ecs.stop_task(cluster=CLUSTER, task="0" * 32), "InvalidParameterException"),
    ],
)
def test_bad_requests_raise_the_matching_boto3_error(idle_orchestrator, call, error):
    with pytest.raises(ClientError) as raised:
        call(idle_orchestrator.client("ecs"))
    assert raised.value.response["Error"]["Code"] == error
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    "target, body",
    [
        ("DescribeServices", b"{not json"),
        ("DescribeServices", b"[1, 2]"),
        ("DescribeServices", b'{"cluster": 7, "services": ["x"]}'),
        ("UpdateService", b'{"cluster": "webordinary-edit-cluster", "service": "webordinary-edit-service", '
                          b'"desiredCount": "two"}'),
        ("DescribeTasks", b'{"cluster": "webordinary-edit-cluster", "tasks": [1]}'),
        ("DeleteEverything", b"{}"),
        ("", b"{}"),
    ],
)
def test_malformed_input_gets_a_400_never_a_500(idle_orchestrator, target, body):
    headers = {"X-Amz-Target": f"AmazonEC2ContainerServiceV20141113.{target}" if target else "",
               "Content-Type": "application/x-amz-json-1.1"}
    response = httpx.post(idle_orchestrator.url("ecs", "/"), content=body, headers=headers)
    assert response.status_code == 400
    kinds = {"InvalidParameterException", "SerializationException", "UnknownOperationException"}
    assert response.json()["__type"] in kinds
