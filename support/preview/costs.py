"""What a preview scenario costs: container time, session-store requests and log volume, priced
with the profile's preview prices.

Everything is read from the target itself: task start and stop times from ECS, log events from
CloudWatch Logs, the platform's session-table requests from the table's consumed-capacity metrics,
and the suite's own DynamoDB requests counted as botocore makes them.
"""
import time
from dataclasses import asdict, dataclass

from support.costs import ScenarioCost
from support.preview.edit_service import EditService

SECONDS_PER_HOUR = 3600.0


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@dataclass
class Usage:
    container_seconds: float = 0.0
    dynamodb_reads: int = 0
    dynamodb_writes: int = 0
    log_bytes: int = 0

    def __add__(self, other):
        return Usage(self.container_seconds + other.container_seconds, self.dynamodb_reads + other.dynamodb_reads,
                     self.dynamodb_writes + other.dynamodb_writes, self.log_bytes + other.log_bytes)

    @property
    def dynamodb_requests(self):
        return self.dynamodb_reads + self.dynamodb_writes


def estimate_usd(usage, prices):
    per_task_hour = prices["task_vcpu"] * prices["fargate_vcpu_hour_usd"] + \
        prices["task_memory_gb"] * prices["fargate_gb_hour_usd"]
    return (usage.container_seconds / SECONDS_PER_HOUR * per_task_hour
            + usage.dynamodb_reads / 1e6 * prices["dynamodb_million_reads_usd"]
            + usage.dynamodb_writes / 1e6 * prices["dynamodb_million_writes_usd"]
            + usage.log_bytes / 1e9 * prices["logs_ingested_gb_usd"])


def task_seconds_within(tasks, start, end):
    """Container-seconds the tasks ran inside [start, end] (epoch seconds)."""
    total = 0.0
    for task in tasks:
        began = task.get("startedAt")
        if began is None:
            continue
        stopped = task.get("stoppedAt")
        began, stopped = _epoch(began), _epoch(stopped) if stopped else end
        total += max(0.0, min(stopped, end) - max(began, start))
    return total


def _epoch(value):
    return value.timestamp() if hasattr(value, "timestamp") else float(value)


class RequestCounter:
    """Counts the DynamoDB reads and writes the suite's clients send (registered on botocore's events)."""

    def __init__(self):
        self.reads = self.writes = 0

    def __call__(self, event_name, **_):
        if event_name.rsplit(".", 1)[-1] in WRITES:
            self.writes += 1
        else:
            self.reads += 1

    def attach(self, client):
        client.meta.events.register("before-send.dynamodb", self)


class CostMeter:
    """Measures each scenario's window on the target: what the edit service and the session store did."""

    def __init__(self, aws, section):
        self.edit_service = EditService(aws("ecs"), section["names"], interval=None)
        self.logs = aws("logs")
        self.cloudwatch = aws("cloudwatch")
        self.names = section["names"]
        self.prices = section["costs"]["prices"]
        self.requests = RequestCounter()
        self.requests.attach(aws("dynamodb"))
        self._started = None
        self._requests_at_start = (0, 0)

    def start_scenario(self):
        self._started = time.time()
        self._requests_at_start = (self.requests.reads, self.requests.writes)

    def usage_so_far(self):
        """Usage since the current scenario started."""
        end = time.time()
        platform_reads, platform_writes = self._platform_requests(end)
        return Usage(
            container_seconds=task_seconds_within(self._edit_tasks(), self._started, end),
            dynamodb_reads=self.requests.reads - self._requests_at_start[0] + platform_reads,
            dynamodb_writes=self.requests.writes - self._requests_at_start[1] + platform_writes,
            log_bytes=self._log_bytes(end),
        )

    def end_scenario(self, name, status):
        usage = self.usage_so_far()
        return ScenarioCost("preview", name, status, round(time.time() - self._started, 3),
                            estimate_usd(usage, self.prices), asdict(usage))

    def _edit_tasks(self):
        return self.edit_service.tasks("RUNNING") + self.edit_service.tasks("STOPPED")

    def _log_bytes(self, end):
        total = 0
        for group in (self.names["hermes_log_group"], self.names["edit_log_group"]):
            pages = self.logs.get_paginator("filter_log_events").paginate(
                logGroupName=group, startTime=int(self._started * 1000), endTime=int(end * 1000) + 1)
            total += sum(len(e["message"].encode()) for page in pages for e in page.get("events", []))
        return total

    def _platform_requests(self, end):
        """(reads, writes): the session table's consumed capacity over the window, as DynamoDB publishes it."""
        totals = []
        for metric in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"):
            points = self.cloudwatch.get_metric_statistics(
                Namespace="AWS/DynamoDB", MetricName=metric, Statistics=["Sum"], Period=60,
                Dimensions=[{"Name": "TableName", "Value": self.names["sessions_table"]}],
                # Whole seconds: CloudWatch compares times to the second and refuses an empty window.
                StartTime=int(self._started), EndTime=int(end) + 1)["Datapoints"]
            totals.append(int(sum(p["Sum"] for p in points)))
        return tuple(totals)
