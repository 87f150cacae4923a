"""The edit service as its operators see it through the ECS API: its counts, its tasks, its scale."""
from support.waits import eventually


class EditService:
    def __init__(self, ecs, names, interval):
        self.ecs = ecs
        self.cluster, self.service = names["cluster"], names["edit_service"]
        self.interval = interval

    def counts(self):
        service = self.ecs.describe_services(cluster=self.cluster, services=[self.service])["services"][0]
        return {key: service[f"{key}Count"] for key in ("desired", "running", "pending")}

    def wait_for(self, count, within):
        return eventually(
            self.counts,
            until=lambda s: s["desired"] == count and s["running"] == count and s["pending"] == 0,
            within=within,
            describe=f"the edit service to run exactly {count} task(s)",
            interval=self.interval,
        )

    def scale(self, count):
        self.ecs.update_service(cluster=self.cluster, service=self.service, desiredCount=count)

    def tasks(self, status="RUNNING", newest=None):
        """The service's tasks whose desired status is `status` (the last `newest` of them)."""
        arns = self.ecs.list_tasks(cluster=self.cluster, serviceName=self.service, desiredStatus=status)["taskArns"]
        arns = arns[-newest:] if newest else arns
        found = []
        for start in range(0, len(arns), 100):
            found += self.ecs.describe_tasks(cluster=self.cluster, tasks=arns[start:start + 100])["tasks"]
        return found

    def running(self):
        """{task ARN: last status} of the tasks that are meant to run."""
        return {task["taskArn"]: task["lastStatus"] for task in self.tasks()}

    def snapshot(self):
        """The counts and the newest tasks with why they stopped: what explains a failed wait."""
        tasks = [{key: task.get(key) for key in ("taskArn", "lastStatus", "desiredStatus", "stoppedReason")}
                 for status in ("RUNNING", "STOPPED") for task in self.tasks(status, newest=10)]
        return {"counts": self.counts(), "tasks": tasks}
