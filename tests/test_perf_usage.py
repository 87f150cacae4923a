"""The embedded orchestrator's ECS utilisation figures, read from /proc the way ECS reports them."""
import os

import boto3
import pytest
from moto import mock_aws

from stack.preview.usage import ServiceUsage, cpu_seconds, resident_bytes


def test_a_live_process_has_cpu_time_and_resident_memory():
    assert cpu_seconds(os.getpid()) > 0
    assert resident_bytes(os.getpid()) > 1024 * 1024


def test_a_process_that_is_gone_has_no_readings():
    assert cpu_seconds(2 ** 22 + 7) is None and resident_bytes(2 ** 22 + 7) is None


@pytest.fixture
def usage(monkeypatch):
    with mock_aws():
        settings = {"endpoints": {"aws": None}}
        monkeypatch.setattr("stack.preview.usage.aws_client",
                            lambda _settings, service: boto3.client(service, region_name="us-east-1"))
        yield ServiceUsage(settings, "webordinary-edit-cluster", "webordinary-edit-service")


def spin_for_processor_time(pid, seconds):
    """Computes until the process has used `seconds` more processor time, however busy the machine is."""
    until = cpu_seconds(pid) + seconds
    while cpu_seconds(pid) < until:
        sum(i * i for i in range(10_000))


def test_utilisation_is_a_share_of_the_tasks_reservation(usage):
    pid = os.getpid()
    usage.begin("task-1", pid)
    spin_for_processor_time(pid, 0.05)  # some CPU, so the share is above zero
    usage.since["task-1"] = (usage.since["task-1"][0], usage.since["task-1"][1] - 1.0)
    (cpu, memory, seconds), = usage.read([("task-1", pid), ("never-begun", pid)])
    assert cpu > 0
    assert seconds == pytest.approx(1.0, abs=0.5)
    assert memory == pytest.approx(resident_bytes(pid) / (512 * 1024 * 1024) * 100, rel=0.05)


def test_readings_are_published_as_aws_ecs_service_metrics(usage):
    usage.publish([(40.0, 10.0, 2.0), (60.0, 20.0, 2.0)])
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    metrics = cloudwatch.list_metrics(Namespace="AWS/ECS")["Metrics"]
    assert {m["MetricName"] for m in metrics} == {"CPUUtilization", "MemoryUtilization"}
    assert {d["Name"]: d["Value"] for d in metrics[0]["Dimensions"]} == {
        "ClusterName": "webordinary-edit-cluster", "ServiceName": "webordinary-edit-service"}


def test_a_stopped_task_is_forgotten(usage):
    usage.begin("task-1", os.getpid())
    usage.forget("task-1")
    assert usage.read([("task-1", os.getpid())]) == []


def test_a_round_weighs_as_many_task_seconds_as_it_covers(usage):
    """A task read over 0.05 s as it stops (300 %) must not count as much as two tasks read over 2 s each:
    the window's average is processor time over running time, (2*20 + 2*30 + 0.05*300) / 4.05."""
    import datetime
    usage.publish([(20.0, 10.0, 2.0), (30.0, 10.0, 2.0)])
    usage.publish([(300.0, 10.0, 0.05)])
    now = datetime.datetime.now(datetime.timezone.utc)
    point, = boto3.client("cloudwatch", region_name="us-east-1").get_metric_statistics(
        Namespace="AWS/ECS", MetricName="CPUUtilization", StartTime=now - datetime.timedelta(minutes=5),
        EndTime=now + datetime.timedelta(minutes=1), Period=600, Statistics=["Average", "SampleCount", "Maximum"],
        Dimensions=[{"Name": "ClusterName", "Value": "webordinary-edit-cluster"},
                    {"Name": "ServiceName", "Value": "webordinary-edit-service"}])["Datapoints"]
    assert point["Average"] == pytest.approx((2 * 20 + 2 * 30 + 0.05 * 300) / 4.05, abs=0.01)
    assert point["SampleCount"] == pytest.approx(4.05)
    assert point["Maximum"] == 300.0
