"""The ECS API subset the suite and Hermes use, running edit tasks as real worker processes.

moto's ECS never runs a task, so scale-from-zero, crash replacement and scale-in could not be
observed. This service speaks the same JSON 1.1 protocol, so an unchanged boto3 `ecs` client
pointed at it sees real tasks come and go.
"""
import asyncio
import os
import re
import signal
import subprocess
import time
import traceback
import uuid
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from stack import faults, procs
from stack.body import MAX_BODY, BodyProblem, read_body
from stack.service import Background, serve
from stack.supervisor import free_port
from stack.preview.ecs_exec import STREAM_PATH, ExecRefused, ExecSessions, task_workspace_root
from stack.preview.usage import ServiceUsage
from stack.preview.web import healthy, json_error, json_errors, parse_args

ACCOUNT = "arn:aws:ecs:us-east-1:123456789012"
TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113."
AMZ_JSON = "application/x-amz-json-1.1"
SCHEDULE_EVERY_S = 0.05
# ECS publishes service utilisation once a minute; every 2 s keeps a short local run measurable.
USAGE_EVERY_S = 2.0
HEALTH_EVERY_S = 0.05
# A worker imports aiohttp and boto3 and binds a port in about a second; 20 s means it is broken.
HEALTH_DEADLINE_S = 20.0
STOP_GRACE_S = 2.0
# Every task is a Python process on this machine; a typo'd desiredCount must not fork hundreds.
MAX_TASKS = 20
EDIT_FAMILY = "webordinary-edit"
TASK_ID = re.compile(r"^[0-9a-f]{32}$")


class ApiError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


@dataclass
class Task:
    arn: str
    cluster_arn: str
    definition_arn: str
    group: str
    started_by: str
    port: int
    process: subprocess.Popen
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    health: str = "UNKNOWN"
    created_at: float = field(default_factory=time.time)
    started_at: float = None
    stopping_at: float = None
    stopped_at: float = None
    stopped_reason: str = None
    exit_code: int = None

    @property
    def id(self):
        return self.arn.rsplit("/", 1)[-1]

    def describe(self, report_start=True):
        container = {
            "name": "edit",
            "containerArn": f"{ACCOUNT}:container/{self.id}/edit",
            # The AWS CLI's execute-command names its target by the container's runtime id.
            "runtimeId": f"{self.id}-edit",
            "taskArn": self.arn,
            "lastStatus": self.last_status,
            "healthStatus": self.health,
            "networkInterfaces": [{"privateIpv4Address": "127.0.0.1"}],
            "networkBindings": [
                {"containerPort": 8080, "hostPort": self.port, "bindIP": "127.0.0.1", "protocol": "tcp"}
            ],
        }
        if self.exit_code is not None:
            container["exitCode"] = self.exit_code
        task = {
            "taskArn": self.arn,
            "clusterArn": self.cluster_arn,
            "taskDefinitionArn": self.definition_arn,
            "group": self.group,
            "startedBy": self.started_by,
            "lastStatus": self.last_status,
            "desiredStatus": self.desired_status,
            "healthStatus": self.health,
            "createdAt": self.created_at,
            "launchType": "FARGATE",
            "cpu": "256",
            "memory": "512",
            "containers": [container],
        }
        optional = {"startedAt": self.started_at if report_start else None, "stoppingAt": self.stopping_at, "stoppedAt": self.stopped_at,
                    "stoppedReason": self.stopped_reason}
        task.update({key: value for key, value in optional.items() if value is not None})
        return task


class Orchestrator:
    def __init__(self, settings, settings_path):
        self.settings = settings
        self.settings_path = os.path.abspath(settings_path)
        names = settings["names"]
        self.cluster_name = names["cluster"]
        self.cluster_arn = f"{ACCOUNT}:cluster/{self.cluster_name}"
        self.edit_service = names["edit_service"]
        self.deployment_id = f"ecs-svc/{uuid.uuid4().int % 10**19:019d}"
        self.services = {
            names["hermes_service"]: {"desiredCount": 1, "family": "webordinary-hermes"},
            self.edit_service: {"desiredCount": 0, "family": EDIT_FAMILY},
        }
        self.created_at = time.time()
        self.tasks = {}
        self.log_dir = os.path.join(settings["runtime_dir"], "logs")
        self.http = None
        self.background = Background()
        self.usage = ServiceUsage(settings, self.cluster_name, self.edit_service)
        self.exec_sessions = ExecSessions(settings["endpoints"]["ecs"])

    # --- the ECS API -------------------------------------------------------------------------

    async def api(self, request):
        target = request.headers.get("X-Amz-Target", "")
        operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
        handler = getattr(self, f"op_{operation}", None) if operation else None
        try:
            if handler is None:
                raise ApiError("UnknownOperationException", f"unknown operation {target!r}")
            try:
                body = await read_body(request)
            except BodyProblem as problem:  # the AWS shape, as ECS answers a body it cannot deserialize
                raise ApiError("SerializationException", problem.message) from None
            result = await handler(body)
        except ApiError as exc:
            return web.json_response({"__type": exc.kind, "message": str(exc)}, status=400, content_type=AMZ_JSON)
        return web.json_response(result, content_type=AMZ_JSON)

    async def op_DescribeClusters(self, body):
        names = _param(body, "clusters", list, default=["default"])
        found, failures = [], []
        for name in names:
            if self._is_cluster(name):
                found.append(self._describe_cluster())
            else:
                failures.append({"arn": str(name), "reason": "MISSING"})
        return {"clusters": found, "failures": failures}

    async def op_DescribeServices(self, body):
        self._cluster(body)
        found, failures = [], []
        for name in _param(body, "services", list, required=True):
            service = self._service_name(name)
            if service:
                found.append(self._describe_service(service))
            else:
                failures.append({"arn": str(name), "reason": "MISSING"})
        return {"services": found, "failures": failures}

    async def op_UpdateService(self, body):
        self._cluster(body)
        service = self._service_name(_param(body, "service", str, required=True))
        if not service:
            raise ApiError("ServiceNotFoundException", "Service not found.")
        _param(body, "forceNewDeployment", bool)
        count = _param(body, "desiredCount", int)
        if count is not None:
            if not 0 <= count <= MAX_TASKS:
                raise ApiError("InvalidParameterException", f"desiredCount must be between 0 and {MAX_TASKS}")
            self.services[service]["desiredCount"] = count
        return {"service": self._describe_service(service)}

    async def op_ListTasks(self, body):
        self._cluster(body)
        service_name = _param(body, "serviceName", str)
        group = None
        if service_name is not None:
            service = self._service_name(service_name)
            if not service:
                raise ApiError("ServiceNotFoundException", "Service not found.")
            group = f"service:{service}"
        family = _param(body, "family", str)
        started_by = _param(body, "startedBy", str)
        desired = _param(body, "desiredStatus", str, default="RUNNING")
        if desired not in ("RUNNING", "PENDING", "STOPPED"):
            message = f"desiredStatus must be RUNNING, PENDING or STOPPED, not {desired!r}"
            raise ApiError("InvalidParameterException", message)
        _param(body, "maxResults", int)
        _param(body, "nextToken", str)
        arns = [
            task.arn
            for task in self.tasks.values()
            if task.desired_status == desired
            and (group is None or task.group == group)
            and (family is None or task.definition_arn.endswith(f"/{family}:1"))
            and (started_by is None or task.started_by == started_by)
        ]
        return {"taskArns": arns}

    async def op_DescribeTasks(self, body):
        self._cluster(body)
        found, failures = [], []
        for ref in _param(body, "tasks", list, required=True):
            task = self._task(ref)
            if task:
                # The defect behind `task_start_time_missing`: DescribeTasks leaves out startedAt.
                found.append(task.describe(report_start=not faults.active(self.settings, "task_start_time_missing")))
            else:
                failures.append({"arn": str(ref), "reason": "MISSING"})
        return {"tasks": found, "failures": failures}

    async def op_RunTask(self, body):
        self._cluster(body)
        definition = _param(body, "taskDefinition", str, required=True)
        family = definition.rsplit("/", 1)[-1].split(":", 1)[0]
        if not family:
            raise ApiError("InvalidParameterException", "taskDefinition must name a task definition family")
        count = _param(body, "count", int, default=1)
        live = sum(task.desired_status == "RUNNING" for task in self.tasks.values())
        if not 1 <= count <= 10 or live + count > MAX_TASKS:
            raise ApiError("InvalidParameterException", f"count must be 1-10 and at most {MAX_TASKS} tasks may run")
        group = _param(body, "group", str, default=f"family:{family}")
        started_by = _param(body, "startedBy", str, default="")
        tasks = [self._start(f"{ACCOUNT}:task-definition/{family}:1", group, started_by) for _ in range(count)]
        return {"tasks": [task.describe() for task in tasks], "failures": []}

    async def op_StopTask(self, body):
        self._cluster(body)
        task = self._task(_param(body, "task", str, required=True))
        if task is None:
            raise ApiError("InvalidParameterException", "The referenced task was not found.")
        self._stop(task, _param(body, "reason", str) or "Task stopped by user")
        return {"task": task.describe()}

    async def op_ExecuteCommand(self, body):
        """Opens an ECS Exec session in a running task's container (see stack/preview/ecs_exec.py)."""
        self._cluster(body)
        task = self._task(_param(body, "task", str, required=True))
        command = _param(body, "command", str, required=True)
        container = _param(body, "container", str, default="edit")
        if _param(body, "interactive", bool) is not True:
            raise ApiError("InvalidParameterException", "Interactive is the only mode supported currently.")
        if task is None:
            raise ApiError("InvalidParameterException", "The referenced task was not found.")
        if container != "edit":
            raise ApiError("InvalidParameterException", f"The container {container} does not exist in the task.")
        if task.desired_status != "RUNNING" or task.last_status != "RUNNING":
            raise ApiError("InvalidParameterException",
                           f"The execute command failed because the task is not running ({task.last_status}).")
        root = task_workspace_root(self.settings, task.id, faults)
        return {"clusterArn": self.cluster_arn, "containerArn": f"{ACCOUNT}:container/{task.id}/edit",
                "containerName": container, "interactive": True, "taskArn": task.arn,
                "session": self.exec_sessions.open(task.id, root, command)}

    async def exec_stream(self, request):
        """The session's data channel, which the stand-in Session Manager plugin reads once."""
        try:
            body = await read_body(request)
            output = await self.exec_sessions.run(request.match_info["sessionId"], body.get("TokenValue"))
        except (BodyProblem, ExecRefused) as problem:
            return json_error(400, "SessionRefused", getattr(problem, "message", None) or str(problem))
        return web.json_response({"output": output})

    # --- lookups and descriptions ------------------------------------------------------------

    def _is_cluster(self, name):
        return name in (self.cluster_name, self.cluster_arn)

    def _cluster(self, body):
        name = _param(body, "cluster", str, default="default")
        if not self._is_cluster(name):
            raise ApiError("ClusterNotFoundException", "Cluster not found.")

    def _service_name(self, ref):
        name = ref.rsplit("/", 1)[-1]
        return name if name in self.services and ref in (name, self._service_arn(name)) else None

    def _service_arn(self, name):
        return f"{ACCOUNT}:service/{self.cluster_name}/{name}"

    def _task(self, ref):
        task = self.tasks.get(f"{ACCOUNT}:task/{self.cluster_name}/{ref.rsplit('/', 1)[-1]}")
        return task if task and ref in (task.arn, task.id) else None

    def _service_tasks(self):
        return [t for t in self.tasks.values() if t.group == f"service:{self.edit_service}"]

    def _counts(self, service):
        if service != self.edit_service:
            return 1, 0
        live = [t for t in self._service_tasks() if t.desired_status == "RUNNING"]
        return sum(t.last_status == "RUNNING" for t in live), sum(t.last_status != "RUNNING" for t in live)

    def _describe_service(self, name):
        spec = self.services[name]
        running, pending = self._counts(name)
        definition = f"{ACCOUNT}:task-definition/{spec['family']}:1"
        return {
            "serviceName": name,
            "serviceArn": self._service_arn(name),
            "clusterArn": self.cluster_arn,
            "status": "ACTIVE",
            "desiredCount": spec["desiredCount"],
            "runningCount": running,
            "pendingCount": pending,
            "launchType": "FARGATE",
            "taskDefinition": definition,
            "createdAt": self.created_at,
            "deployments": [
                {
                    "id": self.deployment_id,
                    "status": "PRIMARY",
                    "taskDefinition": definition,
                    "desiredCount": spec["desiredCount"],
                    "runningCount": running,
                    "pendingCount": pending,
                    "launchType": "FARGATE",
                    "createdAt": self.created_at,
                    "updatedAt": self.created_at,
                    "rolloutState": "COMPLETED",
                }
            ],
            "events": [],
        }

    def _describe_cluster(self):
        live = [t for t in self.tasks.values() if t.desired_status == "RUNNING"]
        return {
            "clusterArn": self.cluster_arn,
            "clusterName": self.cluster_name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": sum(t.last_status == "RUNNING" for t in live),
            "pendingTasksCount": sum(t.last_status != "RUNNING" for t in live),
            "activeServicesCount": len(self.services),
            "capacityProviders": ["FARGATE"],
        }

    # --- tasks as processes ------------------------------------------------------------------

    def _start(self, definition_arn, group, started_by):
        task_id, port = uuid.uuid4().hex, free_port()
        arn = f"{ACCOUNT}:task/{self.cluster_name}/{task_id}"
        process = procs.spawn(
            ["-m", "stack.preview.worker", "--settings", self.settings_path, "--port", str(port), "--task-arn", arn],
            log_path=os.path.join(self.log_dir, f"worker-{task_id}.log"),
            die_signal=signal.SIGKILL,
        )
        task = self.tasks[arn] = Task(arn, self.cluster_arn, definition_arn, group, started_by, port, process)
        self.background.start(self._await_healthy(task))
        return task

    async def _worker_health(self, task):
        """The worker's /health answer, or None when it does not answer."""
        try:
            async with self.http.get(f"http://127.0.0.1:{task.port}/health") as response:
                return await response.json() if response.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None

    async def _await_healthy(self, task):
        deadline = time.monotonic() + HEALTH_DEADLINE_S
        task.last_status = "PENDING"
        while task.desired_status == "RUNNING" and task.process.poll() is None:
            if await self._worker_health(task) is not None:
                if task.desired_status == "RUNNING":
                    task.last_status, task.health, task.started_at = "RUNNING", "HEALTHY", time.time()
                    self.usage.begin(task.arn, task.process.pid)
                return
            if time.monotonic() > deadline:
                self._stop(task, f"Task failed container health checks within {HEALTH_DEADLINE_S:.0f} s")
                return
            await asyncio.sleep(HEALTH_EVERY_S)

    def _stop(self, task, reason):
        """SIGTERM now, SIGKILL after the grace period; the scheduler records the exit."""
        if task.desired_status == "STOPPED":
            return
        task.desired_status = "STOPPED"
        task.stopped_reason = reason
        task.stopping_at = time.time()
        if task.last_status != "STOPPED":
            task.last_status = "DEACTIVATING"
        if task.process.poll() is None:
            self._publish_usage([task])
            task.process.terminate()
            asyncio.get_running_loop().call_later(STOP_GRACE_S, _kill_if_alive, task.process)

    def _record_exits(self):
        for task in self.tasks.values():
            if task.last_status != "STOPPED" and task.process.poll() is not None:
                if task.desired_status == "RUNNING":
                    task.stopped_reason = "Essential container in task exited"
                    given_up = faults.active(self.settings, "task_not_replaced")
                    if given_up and task.group == f"service:{self.edit_service}":
                        service = self.services[self.edit_service]
                        service["desiredCount"] = max(0, service["desiredCount"] - 1)
                task.desired_status = task.last_status = "STOPPED"
                task.health = "UNKNOWN"
                code = task.process.returncode
                task.exit_code = 128 - code if code < 0 else code  # killed by signal N: 128+N, as Docker reports
                task.stopped_at = time.time()

    async def _reconcile(self):
        live = [t for t in self._service_tasks() if t.desired_status == "RUNNING"]
        wanted = self.services[self.edit_service]["desiredCount"]
        for _ in range(wanted - len(live)):
            definition = f"{ACCOUNT}:task-definition/{EDIT_FAMILY}:1"
            self._start(definition, f"service:{self.edit_service}", self.deployment_id)
        if len(live) > wanted:
            ordered = [t for t in await self._scale_in_order(live) if t.desired_status == "RUNNING"]
            excess = len(ordered) - self.services[self.edit_service]["desiredCount"]
            for task in ordered[: max(0, excess)]:
                self._stop(task, f"Scaling activity initiated by (deployment {self.deployment_id})")

    async def _scale_in_order(self, live):
        """Tasks not yet running first, then running ones whose worker holds no session."""
        answers = await asyncio.gather(*(self._worker_health(t) for t in live))

        def rank(pair):
            task, answer = pair
            if task.last_status != "RUNNING":
                return 0
            return 1 if answer is not None and answer.get("session") is None else 2

        return [task for task, _ in sorted(zip(live, answers), key=rank)]

    def _publish_usage(self, tasks):
        """Reads the edit service's `tasks` now and publishes their utilisation in the background."""
        mine = [(task.arn, task.process.pid) for task in tasks if task.group == f"service:{self.edit_service}"]
        readings = self.usage.read(mine)
        for task in tasks:
            if task.desired_status != "RUNNING":
                self.usage.forget(task.arn)
        if readings:
            self.background.start(asyncio.to_thread(self.usage.publish, readings))

    async def _report_usage(self):
        while True:
            self._publish_usage([task for task in self._service_tasks() if task.last_status == "RUNNING"])
            await asyncio.sleep(USAGE_EVERY_S)

    async def _schedule(self):
        while True:
            try:
                self._record_exits()
                await self._reconcile()
            except Exception:
                traceback.print_exc()
            await asyncio.sleep(SCHEDULE_EVERY_S)

    async def _lifecycle(self, _app):
        """Runs the scheduler while serving; on shutdown stops every worker it started."""
        os.makedirs(self.log_dir, exist_ok=True)
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.5))
        self.background.start(self._schedule())
        self.background.start(self._report_usage())
        yield
        self.background.cancel()
        await self.http.close()
        processes = [t.process for t in self.tasks.values() if t.process.poll() is None]
        await asyncio.to_thread(_stop_all, processes)

    def app(self):
        app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY)
        app.cleanup_ctx.append(self._lifecycle)
        app.add_routes([web.get("/health", healthy), web.post("/", self.api),
                        web.post(STREAM_PATH.format(session_id="{sessionId}"), self.exec_stream),
                        web.post("/control/tasks/{taskId}/crash", self.crash_task)])
        return app

    async def crash_task(self, request):
        """Control API (never behind the load balancer): kills a task's container process with SIGKILL,
        as an out-of-memory kill or a segfault would; the scheduler then sees the exit like any other."""
        task_id = request.match_info["taskId"]
        if not TASK_ID.match(task_id):
            return json_error(400, "ValidationError", "taskId must be a task id (32 hex digits)", field="taskId")
        task = self._task(task_id)
        if task is None:
            return json_error(404, "NotFound", f"no task {task_id} in this cluster")
        if task.desired_status != "RUNNING" or task.process.poll() is not None:
            return json_error(409, "Conflict", f"task {task_id} is not running ({task.last_status})")
        task.process.kill()
        return web.json_response({"taskArn": task.arn, "signal": "SIGKILL"})


def _param(body, name, kind, required=False, default=None):
    value = body.get(name)
    if value is None:
        if required:
            raise ApiError("InvalidParameterException", f"{name} is required")
        return default
    if kind is list:
        ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    else:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        expected = "list of strings" if kind is list else kind.__name__
        raise ApiError("InvalidParameterException", f"{name} must be of type {expected}")
    return value


def _kill_if_alive(process):
    if process.poll() is None:
        process.kill()


def _stop_all(processes):
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_GRACE_S
    for process in processes:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    settings, args = parse_args("the ECS API subset, running edit tasks as worker processes")
    serve(Orchestrator(settings, args.settings).app(), settings["ports"]["ecs"])


if __name__ == "__main__":
    main()
