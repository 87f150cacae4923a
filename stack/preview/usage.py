"""The edit service's CPUUtilization and MemoryUtilization, published to CloudWatch (`AWS/ECS`, by
ClusterName and ServiceName) the way ECS does for Fargate tasks: a task's use as a percentage of
what it reserved (0.25 vCPU, 512 MiB), averaged over the service's tasks.

A task is a worker process here, read from /proc: CPU is user+system time of the process and its
finished children (git), memory is its resident set. CPU is counted from the moment a task is
RUNNING: Fargate caps a task at its reservation, this machine does not, and the interpreter's
start-up (a second of a whole core) would otherwise stand for what a capped container does in four.
Readings are cheap (two small files per task); one PutMetricData call carries each round.

Each round is published as statistic values weighted by the task-seconds it covers (SampleCount),
so an average over any window is the tasks' processor time over their running time, as a
per-minute ECS figure is: a reading over a few milliseconds (a task read as it stops) weighs a few
milliseconds, not as much as a whole round.
"""
import os
import time

from botocore.exceptions import BotoCoreError, ClientError

from stack.settings import aws_client

NAMESPACE = "AWS/ECS"
TASK_VCPU = 0.25
TASK_MEMORY_BYTES = 512 * 1024 * 1024
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid):
    """User and system CPU of `pid` and its waited-for children, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return sum(int(value) for value in fields[11:15]) / _TICKS


def resident_bytes(pid):
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError):
        return None


class ServiceUsage:
    def __init__(self, settings, cluster, service):
        self.cloudwatch = aws_client(settings, "cloudwatch")
        self.dimensions = [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": service}]
        self.since = {}  # task key -> (cpu seconds, monotonic time) of its previous reading

    def begin(self, key, pid):
        """Starts counting a task's CPU (when it becomes RUNNING)."""
        used = cpu_seconds(pid)
        if used is not None:
            self.since[key] = (used, time.monotonic())

    def read(self, tasks):
        """[(cpu %, memory %, seconds)] of the (key, pid) tasks being counted, since their previous reading."""
        readings = []
        for key, pid in tasks:
            if key not in self.since:
                continue
            used, memory, now = cpu_seconds(pid), resident_bytes(pid), time.monotonic()
            if used is None or memory is None:
                self.since.pop(key, None)
                continue
            before, then = self.since[key]
            self.since[key] = (used, now)
            if now - then < 0.05:
                continue
            cpu = (used - before) / (now - then) / TASK_VCPU * 100
            readings.append((cpu, memory / TASK_MEMORY_BYTES * 100, now - then))
        return readings

    def forget(self, key):
        self.since.pop(key, None)

    def publish(self, readings):
        """Blocking: one data point per metric over the tasks read, weighted by their task-seconds."""
        if not readings:
            return
        weight = sum(reading[2] for reading in readings)
        data = [{"MetricName": name, "Dimensions": self.dimensions, "Unit": "Percent", "StorageResolution": 1,
                 "StatisticValues": {"SampleCount": round(weight, 3),
                                     "Sum": round(sum(reading[column] * reading[2] for reading in readings), 3),
                                     "Minimum": round(min(reading[column] for reading in readings), 3),
                                     "Maximum": round(max(reading[column] for reading in readings), 3)}}
                for column, name in ((0, "CPUUtilization"), (1, "MemoryUtilization"))]
        try:
            self.cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)
        except (BotoCoreError, ClientError) as exc:
            print(f"could not publish the edit service's utilisation: {exc}", flush=True)
