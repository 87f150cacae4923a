"""Hermes, the session API: an activation becomes a session item, an edit task and a live preview.

The session table is what the suite reads, so every change lands there. Hermes also keeps the
sessions it manages in memory, so that its 100 ms reaper and the task assignment never scan the
table; an item that disappears from the table (a sweep) ends the session at its next update.
"""
import asyncio
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import aiohttp
from aiohttp import web
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from stack import control
from stack.body import MAX_BODY, BodyProblem, read_body
from stack.preview.activation import activation_problem
from stack.preview.hermes_defects import HermesDefects
from stack.preview.intake import EmailIntake
from stack.preview.table_metrics import PUBLISH_EVERY_S, TableMetrics
from stack.preview.throttle import THROTTLED, StoreThrottle
from stack.preview.web import (
    ID_RULE, StageLog, json_error, json_errors, parse_args, running_edit_tasks, session_not_found, valid_id,
)
from stack.service import Background, serve
from stack.settings import aws_client

LIVE = ("initializing", "active", "draining")
SESSION_TTL_S = 1800
REAP_EVERY_S = 0.1
TASK_POLL_S = 0.05
# Cold start (scale from zero, worker boot) takes about a second locally; 30 s means no task will come.
TASK_WAIT_S = 30.0
# One instruction is a few git commands, a build and a handful of uploads.
WORK_TIMEOUT_S = 60.0
# Every AWS call runs on a thread; a burst of sessions polls for tasks while the email intake holds
# one thread in its long poll, and Python's default of cores + 4 threads would queue them all.
AWS_THREADS = 32

_serialize, _deserialize = TypeSerializer().serialize, TypeDeserializer().deserialize


@dataclass
class Session:
    item: dict  # the table item, as Python values
    instruction: str = None
    task_arn: str = None
    port: int = None

    @property
    def id(self):
        return self.item["sessionId"]

    @property
    def tags(self):
        return f"session={self.id} thread={self.item['threadId']}"


def now_ms():
    return int(time.time() * 1000)


def iso(epoch_ms):
    if epoch_ms is None:
        return None
    moment = datetime.fromtimestamp(epoch_ms / 1000, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _from_item(item):
    """A DynamoDB item as Python values (numbers as ints: every number in a session item is whole)."""
    plain = {key: _deserialize(value) for key, value in item.items()}
    return {key: int(value) if isinstance(value, Decimal) else value for key, value in plain.items()}


class Hermes:
    def __init__(self, settings):
        self.settings = settings
        self.names = settings["names"]
        self.max_tasks = settings["max_edit_tasks"]
        self.ddb = aws_client(settings, "dynamodb")
        self.table_metrics = TableMetrics(settings, self.ddb, self.names["sessions_table"])
        self.ecs = aws_client(settings, "ecs")
        self.log = StageLog(settings, self.names["hermes_log_group"], "hermes")
        self.sessions = {}  # live sessions by id
        self.foreign = set()  # running tasks whose worker holds a session Hermes does not know
        self.admission = asyncio.Lock()
        self.scaling = asyncio.Lock()
        self.background = Background()
        self.http = None
        # An activation's write is not retried: a throttled table answers the caller at once with
        # "try again" instead of holding the request through backoff (the caller's retry is the retry).
        self.activation_writes = aws_client(settings, "dynamodb", retries=0)
        self.throttle = StoreThrottle(self.names["sessions_table"])
        for client in (self.ddb, self.activation_writes):
            self.throttle.install(client)
        self.defects = HermesDefects(self)

    def app(self):
        app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY)
        app.cleanup_ctx.append(self._lifecycle)
        base = "/hermes/api/sessions"
        app.add_routes(
            [
                web.post(f"{base}/activate", self.activate),
                web.get(f"{base}/client/{{clientId}}", self.client_sessions),
                web.get(f"{base}/{{id}}/status", self.status),
                web.post(f"{base}/{{id}}/keepalive", self.keepalive),
                web.post(f"{base}/{{id}}/deactivate", self.deactivate),
                *(web.get(f"/hermes/health{suffix}", _health) for suffix in ("", "/ready", "/live")),
                *self.throttle.routes("/control/session-store/throttle"),
                *control.fault_routes(self.settings, "preview"),
                control.reset_route(self.reset),
            ]
        )
        return app

    async def _lifecycle(self, _app):
        asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(AWS_THREADS, thread_name_prefix="aws"))
        self.http = aiohttp.ClientSession()
        self.background.start(self._reap())
        self.intake = self.background.start(EmailIntake(self).run())
        self.background.start(self._publish_table_metrics())
        yield
        self.background.cancel()
        await self.http.close()

    # --- the session API ---------------------------------------------------------------------

    async def activate(self, request):
        try:
            body = await read_body(request, check=activation_problem)
        except BodyProblem as problem:
            body = await self.defects.refused_activation(problem)
        if (live := self._live_session_of(body)) and not self.defects.ignores_live_session():
            return await self._continue(live, body["instruction"])
        session, refusal = await self.admit(body)
        if refusal:
            return refusal
        return web.json_response(
            {"sessionId": session.id, "previewUrl": session.item["previewUrl"], "status": "initializing"}, status=201
        )

    async def admit(self, body, thread_id=None):
        """(session, None) once a valid activation is recorded and its task is on the way, else (None, refusal).

        The session API and the email intake both start sessions here; an email reply passes the
        conversation's `thread_id` so the session continues that thread's branch.
        """
        async with self.admission:
            full = self._live_count() + self.defects.counted_twice(self.sessions.values()) >= self.max_tasks
            if full and not self.defects.capacity_limit_ignored():
                if unclear := await self.defects.refused_for_capacity(body):
                    return None, unclear
                message = f"all {self.max_tasks} edit sessions are in use; try again later"
                return None, json_error(503, "CapacityExhausted", message)
            session = self._new_session(body, thread_id)
            self.sessions[session.id] = session
        try:
            if self.defects.records_session():
                await asyncio.to_thread(
                    self.activation_writes.put_item,
                    TableName=self.names["sessions_table"],
                    Item={key: _serialize(value) for key, value in session.item.items()},
                    ConditionExpression="attribute_not_exists(sessionId)",
                )
            await self._rescale()
        except (BotoCoreError, ClientError) as exc:
            throttled = isinstance(exc, ClientError) and exc.response["Error"]["Code"] in THROTTLED
            if self.defects.keeps_throttled_activation(throttled):
                await self._rescale()
            else:
                await self._forget(session)
            if throttled and (unclear := self.defects.throttled_answer(exc)):
                return None, unclear
            if throttled:
                return None, json_error(429, "Throttled", "the session table is throttling requests; try again")
            return None, json_error(503, "ServiceUnavailable", f"could not start the session: {exc}")
        if self.defects.refuses_after_throttling():
            await self._forget(session)
            await self._rescale()
            return None, json_error(429, "Throttled", "the session table was throttling moments ago; try again")
        self.background.start(self._start(session))
        return session, None

    async def status(self, request):
        sid = request.match_info["id"]
        if not valid_id(sid):
            return _bad_session_id()
        item = await asyncio.to_thread(self._get_item, sid)
        if item is None:
            return session_not_found()
        return web.json_response(
            {
                "sessionId": sid,
                "threadId": item.get("threadId"),
                "status": item["status"],
                "containerIp": item.get("containerIp"),
                "containerPort": item.get("containerPort"),
                "lastActivity": iso(item.get("lastActivity")),
                "previewUrl": item.get("previewUrl"),
                "instructionStatus": item.get("instructionStatus"),
                "instructionReason": item.get("instructionReason"),
                "lastCommit": item.get("lastCommit"),
            }
        )

    async def keepalive(self, request):
        sid = request.match_info["id"]
        if not valid_id(sid):
            return _bad_session_id()
        session = self.sessions.get(sid)
        if session and session.item["status"] in ("initializing", "active"):
            fields = {"lastActivity": now_ms(), "ttl": int(time.time()) + SESSION_TTL_S}
            session.item.update(fields)
            if await self._write(session, fields):
                return web.json_response({"ttl": fields["ttl"], "status": session.item["status"]})
            return web.json_response({"ttl": 0, "status": "expired"})
        item = await asyncio.to_thread(self._get_item, sid)
        if item is None:
            return web.json_response({"ttl": 0, "status": "expired"})
        return web.json_response({"ttl": item.get("ttl", 0), "status": item["status"]})

    async def deactivate(self, request):
        sid = request.match_info["id"]
        if not valid_id(sid):
            return _bad_session_id()
        session = self.sessions.get(sid)
        if session:
            session.item["status"] = "draining"
            if await self._write(session, {"status": "draining"}):
                if sid not in self.sessions:
                    # The reaper ended it while "draining" was being written; its end stands.
                    await asyncio.to_thread(self._update_item, sid, {"status": "expired"})
                return web.json_response({"status": "draining", "message": "Session deactivation initiated"})
            return session_not_found()
        item = await asyncio.to_thread(self._get_item, sid)
        if item is None:
            return await self.defects.unknown_deactivated(sid) or session_not_found()
        return web.json_response({"status": item["status"], "message": f"Session is already {item['status']}"})

    async def client_sessions(self, request):
        client_id = request.match_info["clientId"]
        if not valid_id(client_id):
            return json_error(400, "ValidationError", f"clientId {ID_RULE}", field="clientId")
        items = await asyncio.to_thread(self._client_items, client_id)
        return web.json_response(
            [
                {
                    "sessionId": item["sessionId"],
                    "userId": item.get("userId"),
                    "status": item.get("status"),
                    "previewUrl": item.get("previewUrl"),
                    "lastActivity": iso(item.get("lastActivity")),
                }
                for item in sorted(items, key=lambda item: item.get("createdAt", ""))
            ]
        )

    # --- sessions and the table --------------------------------------------------------------

    def _new_session(self, body, thread_id=None):
        now = time.time()
        sid = self.defects.session_id(body, now) or str(uuid.uuid4())
        tid = thread_id or f"thread-{uuid.uuid4().hex[:8]}"
        item = {
            "sessionId": sid,
            "clientId": body["clientId"],
            "userId": body["userId"],
            "threadId": tid,
            "status": "initializing",
            "lastActivity": int(now * 1000),
            "ttl": int(now) + SESSION_TTL_S,
            "editBranch": tid,
            "previewUrl": f"{self.settings['endpoints']['lb']}/session/{sid}",
            "createdAt": iso(int(now * 1000)),
        }
        return Session(item, instruction=body["instruction"])

    def _live_count(self):
        return sum(session.item["status"] in LIVE for session in self.sessions.values()) + self.defects.held

    def _live_session_of(self, body):
        """The session this client and user already have running: their next instruction continues it."""
        any_user = self.defects.continues_any_user()
        return next((s for s in self.sessions.values() if s.item["clientId"] == body["clientId"] and (
            s.item["userId"] == body["userId"] and s.item["status"] in ("initializing", "active")
            or any_user and s.item["status"] == "active")), None)

    async def _continue(self, session, instruction):
        """Hands the instruction to the session's own task and answers at once; the status shows it running."""
        if session.item["status"] != "active" or session.port is None:
            return json_error(409, "SessionStarting", f"session {session.id} is still starting; try again shortly")
        fields = {"lastActivity": now_ms(), "instructionStatus": "running"}
        session.item.update(fields)
        try:
            if not await self._write(session, fields):
                return session_not_found()
        except (BotoCoreError, ClientError) as exc:
            return json_error(503, "ServiceUnavailable", f"could not continue session {session.id}; try again ({exc})")
        self.background.start(self.instruct(session, instruction))
        answer = {"sessionId": session.id, "previewUrl": session.item["previewUrl"], "status": "active"}
        return web.json_response(answer)

    def _get_item(self, sid):
        answer = self.ddb.get_item(
            TableName=self.names["sessions_table"], Key={"sessionId": {"S": sid}}, ConsistentRead=True
        )
        return _from_item(answer["Item"]) if "Item" in answer else None

    def _client_items(self, client_id):
        pages = self.ddb.get_paginator("scan").paginate(
            TableName=self.names["sessions_table"],
            FilterExpression="clientId = :client",
            ExpressionAttributeValues={":client": {"S": client_id}},
        )
        return [_from_item(item) for page in pages for item in page["Items"]]

    def _update_item(self, sid, fields):
        """Sets `fields` on the session's item; False when the item is not in the table."""
        try:
            self.ddb.update_item(
                TableName=self.names["sessions_table"],
                Key={"sessionId": {"S": sid}},
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
                ConditionExpression="attribute_exists(sessionId)",
                ExpressionAttributeNames={f"#f{i}": name for i, name in enumerate(fields)},
                ExpressionAttributeValues={f":v{i}": _serialize(value) for i, value in enumerate(fields.values())},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    async def _write(self, session, fields):
        """Records `fields`; a session whose item has gone from the table is ended."""
        if not await asyncio.to_thread(self._update_item, session.id, fields):
            print(f"session item gone from the table, ending it {session.tags}", flush=True)
            await self._end(session, record=False)
            return False
        return True

    async def _forget(self, session):
        """Undoes an activation that could not complete: no item, no memory, no capacity held."""
        self.sessions.pop(session.id, None)
        try:
            await asyncio.to_thread(
                self.ddb.delete_item, TableName=self.names["sessions_table"], Key={"sessionId": {"S": session.id}}
            )
        except (BotoCoreError, ClientError) as exc:
            print(f"could not delete the item of a failed activation {session.tags}: {exc}", flush=True)

    async def reset(self, _request):
        """Forgets every session, empties the session and thread tables, scales the edit service to
        zero, releases capacity a defect kept and restarts an email intake a defect stopped, as a
        fresh start would leave them; never behind the load balancer."""
        async with self.admission:
            ended = list(self.sessions.values())
            self.sessions.clear()
            self.foreign.clear()
            for session in ended:
                await self._release(session)
            removed = await asyncio.to_thread(self._empty_tables)
            released = self.defects.forget()
            await self._rescale()
        restarted = self.intake.done()
        if restarted:
            self.intake = self.background.start(EmailIntake(self).run())
        return web.json_response({"sessions_ended": len(ended), "items_removed": removed,
                                  "capacity_released": released, "email_intake_restarted": restarted})

    def _empty_tables(self):
        removed = 0
        for table, key in ((self.names["sessions_table"], "sessionId"), (self.names["thread_table"], "threadId")):
            pages = self.ddb.get_paginator("scan").paginate(TableName=table, ProjectionExpression=key)
            for item in (item for page in pages for item in page["Items"]):
                self.ddb.delete_item(TableName=table, Key={key: item[key]})
                removed += 1
        return removed

    # --- edit tasks --------------------------------------------------------------------------

    async def _rescale(self):
        """One edit task per live session, up to the maximum."""
        async with self.scaling:
            target = self.defects.scale_target(self._live_count(), self.max_tasks)
            cluster, service = self.names["cluster"], self.names["edit_service"]
            current = await self.desired_count()
            if target == current or self.defects.blocks_scaling(current, target):
                return
            await asyncio.to_thread(self.ecs.update_service, cluster=cluster, service=service, desiredCount=target)

    async def desired_count(self):
        cluster, service = self.names["cluster"], self.names["edit_service"]
        described = await asyncio.to_thread(self.ecs.describe_services, cluster=cluster, services=[service])
        return described["services"][0]["desiredCount"]

    def _taken(self):
        return {s.task_arn for s in self.sessions.values() if s.task_arn} | self.foreign

    async def _bind(self, session, running):
        """Hands the session (and its instruction, once) to a free running task; the worker's answer or None."""
        self.foreign &= set(running)
        for arn, port in running.items():
            if arn in self._taken():
                continue
            session.task_arn, session.port = arn, port
            try:
                status, answer = await self._post_work(session, session.instruction)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                print(f"task {arn} did not take {session.tags}: {exc!r}", flush=True)
                session.task_arn = session.port = None
                continue
            if status == 409:
                self.foreign.add(arn)
                session.task_arn = session.port = None
                continue
            session.instruction = None
            return answer
        return None

    async def _post_work(self, session, instruction):
        """(HTTP status, outcome) of handing the session and an instruction to the task on session.port."""
        payload = {field: session.item[field] for field in ("sessionId", "clientId", "userId", "threadId")}
        payload["instruction"] = instruction
        async with self.http.post(
            f"http://127.0.0.1:{session.port}/work", json=payload, timeout=aiohttp.ClientTimeout(total=WORK_TIMEOUT_S)
        ) as response:
            answer = await response.json()
        if response.status not in (200, 409):
            answer = {"status": "failed", "reason": answer.get("message", f"the worker answered {response.status}")}
        return response.status, answer

    async def instruct(self, session, instruction):
        """A further instruction for an active session goes to the task that already holds it."""
        try:
            _, outcome = await self._post_work(session, instruction)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            outcome = {"status": "failed", "reason": f"the session's task did not answer: {exc!r}"}
        await self._record_outcome(session, outcome)

    async def _start(self, session):
        """Waits for a free running edit task, gives it the session, then records the session active."""
        deadline = time.monotonic() + TASK_WAIT_S
        while session.item["status"] == "initializing" and session.id in self.sessions:
            await self.defects.before_task_lookup()
            try:
                running = await asyncio.to_thread(running_edit_tasks, self.ecs, self.names)
            except (BotoCoreError, ClientError) as exc:
                print(f"could not list edit tasks for {session.tags}: {exc}", flush=True)
                running = {}
            outcome = await self._bind(session, running)
            if outcome is not None:
                await self._record_outcome(session, outcome)
                return
            if time.monotonic() > deadline:
                await self._end(session, reason=f"no edit task became available within {TASK_WAIT_S:.0f} s")
                return
            await asyncio.sleep(TASK_POLL_S)

    async def _record_outcome(self, session, outcome):
        if session.id not in self.sessions:  # ended while its instruction ran
            await self._release(session)
            return
        fields = {
            "containerIp": "127.0.0.1",
            "containerPort": session.port,
            "containerId": session.task_arn.rsplit("/", 1)[-1],
            "fargateTaskArn": session.task_arn,
            "lastActivity": now_ms(),
            "instructionStatus": outcome["status"],
        }
        if session.item["status"] == "initializing":
            fields["status"] = "active"
        if outcome.get("reason"):
            fields["instructionReason"] = outcome["reason"]
        if outcome.get("commit"):
            fields["lastCommit"] = outcome["commit"]
        session.item.update(fields)
        if await self._write(session, fields):
            await asyncio.to_thread(self.log.put, f"Session activated {session.tags}")

    async def _rehome(self):
        """Moves active sessions whose task stopped (a crash) to a replacement task.

        When the edit service was scaled below its active sessions (an operator forced it down), no
        replacement will come: those sessions end, and the next activation resumes their workspace.
        """
        active = [s for s in self.sessions.values() if s.item["status"] == "active"]
        if not active:
            return
        running = await asyncio.to_thread(running_edit_tasks, self.ecs, self.names)
        orphans = [s for s in active if s.task_arn not in running]
        if not orphans:
            return
        scaled_away = orphans[: max(0, len(active) - await self.desired_count())]
        for session in scaled_away:
            await asyncio.to_thread(self.log.put, f"Edit service scaled below its sessions; ending {session.tags}")
            await self._end(session)
        if not self.defects.rehomes():
            return
        for session in orphans:
            if session in scaled_away:
                continue
            session.task_arn = session.port = None
            answer = await self._bind(session, running)
            if answer is not None:
                fields = {"containerPort": session.port, "containerId": session.task_arn.rsplit("/", 1)[-1],
                          "fargateTaskArn": session.task_arn}
                session.item.update(fields)
                if await self._write(session, fields):
                    message = f"Session moved to task {fields['containerId']} {session.tags}"
                    await asyncio.to_thread(self.log.put, message)

    async def _release(self, session):
        if session.port is None:
            return
        try:
            async with self.http.post(
                f"http://127.0.0.1:{session.port}/release", json={"sessionId": session.id},
                timeout=aiohttp.ClientTimeout(total=2),
            ) as response:
                await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            print(f"could not release {session.tags} on its task: {exc!r}", flush=True)

    async def _end(self, session, reason=None, record=True):
        """Releases the session's worker, marks it expired and lets the edit service shrink."""
        self.sessions.pop(session.id, None)
        self.defects.on_session_ended()
        await self._release(session)
        if record and self.defects.records_expiry():
            fields = {"status": "expired"}
            if reason:
                fields.update(instructionStatus="failed", instructionReason=reason)
            await asyncio.to_thread(self._update_item, session.id, fields)
        await self._rescale()
        await asyncio.to_thread(self.log.put, f"Session expired {session.tags}")

    async def _reap_once(self):
        idle_ms = self.settings["idle_timeout_s"] * 1000
        now = now_ms()
        sessions = list(self.sessions.values())
        busiest = max((s.item["lastActivity"] for s in sessions), default=now)
        for session in sessions:
            if session.id not in self.sessions:
                continue
            status = session.item["status"]
            last = self.defects.last_activity(session, busiest)
            # A session whose instruction is still running (a slow warm start) is busy, not idle.
            running = session.item.get("instructionStatus") == "running"
            idle = status == "active" and not running and now - last > idle_ms
            if status == "draining" or idle:
                await self._end(session)
            if idle and self.defects.idle_ends_all():
                for other in list(self.sessions.values()):
                    await self._end(other)
        await self._rehome()

    async def _publish_table_metrics(self):
        while True:
            await asyncio.to_thread(self.table_metrics.publish)
            await asyncio.sleep(PUBLISH_EVERY_S)

    async def _reap(self):
        while True:
            try:
                await self._reap_once()
            except (BotoCoreError, ClientError) as exc:
                print(f"reaper: {exc}", flush=True)
            except Exception:
                traceback.print_exc()
            await asyncio.sleep(REAP_EVERY_S)


def _bad_session_id():
    return json_error(400, "ValidationError", f"session id {ID_RULE}", field="sessionId")


async def _health(_request):
    return web.json_response({"status": "healthy", "timestamp": iso(now_ms())})


def main():
    settings, _ = parse_args("Hermes, the session API")
    serve(Hermes(settings).app(), settings["ports"]["hermes"])


if __name__ == "__main__":
    main()
