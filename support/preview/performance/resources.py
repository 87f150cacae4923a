"""The edit service's CPU and memory use during a run, as CloudWatch has them (`AWS/ECS`
`CPUUtilization` and `MemoryUtilization` by cluster and service), the same on every target.

Each data point is weighted by its SampleCount: ECS's per-minute points count alike, and the embedded
orchestrator publishes task-seconds as its sample count, so the average over the window is processor
time over running time and `count` is how many task-seconds (locally) or samples were measured.
CloudWatch receives a service's metrics after the fact, so the reading waits until a data point
newer than the run's end exists: then every point of the run's window has arrived.
"""
import datetime
import time

from support.perf.timings import Summary
from support.waits import eventually

NAMESPACE = "AWS/ECS"
METRICS = {"cpu_utilization": "CPUUtilization", "memory_utilization": "MemoryUtilization"}
PERIOD_S = 60


def _utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


class ServiceUtilisation:
    def __init__(self, aws, profile, interval):
        self.cloudwatch = aws("cloudwatch")
        self.dimensions = [{"Name": "ClusterName", "Value": profile.area("preview")["names"]["cluster"]},
                           {"Name": "ServiceName", "Value": profile.area("preview")["names"]["edit_service"]}]
        self.interval = interval

    def _statistics(self, metric, start_epoch, end_epoch):
        """One Summary over the window: datapoints of each period combined, weighted by sample count."""
        periods = max(1, int((end_epoch - start_epoch) // PERIOD_S) + 1)
        points = self.cloudwatch.get_metric_statistics(
            Namespace=NAMESPACE, MetricName=metric, Dimensions=self.dimensions,
            StartTime=_utc(start_epoch), EndTime=_utc(end_epoch), Period=PERIOD_S * periods,
            Statistics=["Average", "Minimum", "Maximum", "SampleCount"],
        )["Datapoints"]
        count = sum(point["SampleCount"] for point in points)
        if not count:
            return Summary()
        average = sum(point["Average"] * point["SampleCount"] for point in points) / count
        return Summary(average, min(point["Minimum"] for point in points),
                       max(point["Maximum"] for point in points), count)

    def during(self, start_epoch, end_epoch, within):
        """{metric name: Summary} for the window, once CloudWatch has data from after it."""
        eventually(
            lambda: self._statistics(METRICS["cpu_utilization"], end_epoch, time.time() + 1),
            until=lambda later: later.count > 0,
            within=within,
            describe="CloudWatch to hold the edit service's CPU figures from after the run",
            interval=max(self.interval, 0.25),
        )
        return {name: self._statistics(metric, start_epoch, end_epoch) for name, metric in METRICS.items()}
