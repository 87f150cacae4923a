"""The session table's consumed capacity, published to CloudWatch (`AWS/DynamoDB`, by TableName)
the way DynamoDB does, so that the suite reads the platform's table use the same way on both
targets. moto publishes no such metrics; Hermes counts its own requests and publishes them.

On-demand tables count one unit per small request, which is what every session request is.
"""
from datetime import datetime, timezone

from botocore.exceptions import BotoCoreError, ClientError

from stack.settings import aws_client

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
PUBLISH_EVERY_S = 0.5


class TableMetrics:
    def __init__(self, settings, dynamodb, table):
        self.cloudwatch = aws_client(settings, "cloudwatch")
        self.table = table
        self.reads = self.writes = 0
        dynamodb.meta.events.register("before-send.dynamodb", self._count)

    def _count(self, event_name, **_):
        if event_name.rsplit(".", 1)[-1] in WRITES:
            self.writes += 1
        else:
            self.reads += 1

    def publish(self):
        """Sends what was counted since the last call; blocking, so call it from a thread."""
        reads, writes = self.reads, self.writes
        if not reads and not writes:
            return
        self.reads -= reads
        self.writes -= writes
        now = datetime.now(timezone.utc)
        dimensions = [{"Name": "TableName", "Value": self.table}]
        try:
            self.cloudwatch.put_metric_data(Namespace="AWS/DynamoDB", MetricData=[
                {"MetricName": name, "Value": value, "Unit": "Count", "Timestamp": now, "Dimensions": dimensions}
                for name, value in (("ConsumedReadCapacityUnits", reads), ("ConsumedWriteCapacityUnits", writes))
            ])
        except (BotoCoreError, ClientError) as exc:
            self.reads += reads
            self.writes += writes
            print(f"table metrics: {exc}", flush=True)
