"""Breaking the target on purpose: one interface, one implementation per kind of target.

Scenarios say what breaks ("the container process of the session crashes", "the session store
throttles"); how it is done belongs to the target:
- the embedded stack has control APIs on the processes that own what breaks: the orchestrator
  kills a task's container process, Hermes refuses session-store writes as DynamoDB does when it
  throttles;
- on AWS a crash is an ECS StopTask, which the service scheduler answers like any stopped task;
  the session store cannot be throttled on demand there, so scenarios needing it are skipped
  (`@use.with_capability=store_throttling`) instead of failing.
Every injection that outlives its call hands its undo to `on_started`, the scenario's cleanup,
at once, so a failing scenario never leaves the target broken for the next one.
"""
from support.http import Http

CONTAINER_KILL = "container_kill"
STORE_THROTTLING = "store_throttling"
THROTTLE_PATH = "/session-store/throttle"


class ChaosUnavailable(AssertionError):
    """The target cannot inject this fault; the capability tags should have skipped the scenario."""


class ChaosFailed(AssertionError):
    """The target was asked to break and did not; a scenario after it would prove nothing."""


def _task_id(task_arn):
    return task_arn.rsplit("/", 1)[-1]


class StackControlChaos:
    """The embedded stack's control APIs, whose URLs the stack publishes in its state file."""

    def __init__(self, tasks_url, store_url, calls=None):
        self._calls = calls
        self._tasks = Http(tasks_url) if tasks_url else None
        self._store = Http(store_url) if store_url else None
        self.capabilities = frozenset(
            name for name, client in ((CONTAINER_KILL, self._tasks), (STORE_THROTTLING, self._store)) if client)

    def crash_task(self, task_arn):
        """Kills the task's container process (SIGKILL) and returns what the control API did."""
        tasks = self._require(self._tasks, CONTAINER_KILL)
        self._count("crash")
        answer = tasks.post(f"/tasks/{_task_id(task_arn)}/crash")
        if answer.status != 200:
            raise ChaosFailed(f"the stack did not crash task {task_arn}: {answer}")
        return answer.body

    def throttle_session_store(self, writes, on_started):
        """The session store refuses its next `writes` writes as throttled."""
        store = self._require(self._store, STORE_THROTTLING)
        self._count("throttle")
        answer = store.post(THROTTLE_PATH, json={"writes": writes})
        if answer.status != 200:
            raise ChaosFailed(f"the stack did not start throttling: {answer}")
        on_started(self.stop_throttling)

    def stop_throttling(self):
        self._store.request("DELETE", THROTTLE_PATH)

    def throttled_writes(self):
        """How many session-store writes were refused since throttling started."""
        return self._require(self._store, STORE_THROTTLING).get(THROTTLE_PATH, attach=False).get("throttled")

    def _count(self, operation):
        if self._calls:
            self._calls.record("chaos", operation)

    @staticmethod
    def _require(client, capability):
        if client is None:
            raise ChaosUnavailable(f"the running stack has no control API for {capability}; restart it")
        return client

    def close(self):
        for client in (self._tasks, self._store):
            if client:
                client.close()


class EcsChaos:
    """AWS: the ECS API the suite already uses. StopTask ends the container as a crash would, and the
    service scheduler replaces it; the task's stop reason names the suite."""

    capabilities = frozenset({CONTAINER_KILL})

    def __init__(self, ecs, cluster):
        self.ecs, self.cluster = ecs, cluster

    def crash_task(self, task_arn):
        task = self.ecs.stop_task(cluster=self.cluster, task=task_arn,
                                  reason="acceptance suite: simulated crash of the container process")["task"]
        return {"taskArn": task["taskArn"], "lastStatus": task["lastStatus"]}

    def throttle_session_store(self, writes, on_started):
        raise ChaosUnavailable("DynamoDB cannot be made to throttle on demand on this target")

    def throttled_writes(self):
        raise ChaosUnavailable("DynamoDB cannot be made to throttle on demand on this target")

    def close(self):
        pass


def chaos_for(profile, aws, calls=None):
    """The profile's chaos driver; `calls` (support/drivers.py) counts the control APIs' calls (ECS's
    are counted on the boto3 client)."""
    driver = (profile.area("preview").get("chaos") or {}).get("driver") or ("stack_control" if profile.embedded else "ecs")
    if driver == "ecs":
        return EcsChaos(aws("ecs"), profile.area("preview")["names"]["cluster"])
    endpoints = profile.area("preview")["endpoints"]
    return StackControlChaos(endpoints.get("ecs_control"), endpoints.get("hermes_control"), calls)
