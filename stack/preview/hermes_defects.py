"""Hermes's named defects, kept out of its admission and session logic.

Hermes asks this module at named points ("is the capacity limit ignored?", "what happens to a
refused activation?"); each answer is the healthy behaviour unless the stack was started with the
fault that breaks it. The fault names and what each one does are listed in stack/preview/faults.py.
"""
import asyncio
import time
import uuid
from pathlib import Path

from aiohttp import web
from boto3.dynamodb.types import TypeSerializer

from stack import faults
from stack.body import BodyProblem
from stack.preview import site
from stack.preview.activation import ACTIVATION_FIELDS
from stack.preview.throttle import THROTTLED
from stack.preview.web import json_error

# `slow_task_assignment`: Hermes looks for a free edit task only this often.
SLOW_ASSIGNMENT_S = 5.0
# `runaway_scale_up`: every live session asks for this many tasks.
RUNAWAY_TASKS = 6
# `throttle_backoff_refuses_all`: how long activations are refused after a throttled write.
THROTTLE_COOLDOWN_S = 5.0
# `activation_refusal_names_every_field`: one reason for every malformed activation, whatever is wrong.
BLANKET_REFUSAL = "clientId, userId and instruction are required and must be valid strings"

_serialize = TypeSerializer().serialize


class HermesDefects:
    def __init__(self, hermes):
        self.hermes = hermes
        self.settings = hermes.settings
        self.names = hermes.names
        self.held = 0  # capacity kept by refused or ended sessions
        self.last_throttled = float("-inf")
        hermes.activation_writes.meta.events.register("needs-retry.dynamodb", self._note_throttling)

    def on(self, name):
        return faults.active(self.settings, name)

    def forget(self):
        """What the defects left in memory, gone as after a fresh start; the capacity that was held."""
        held, self.held, self.last_throttled = self.held, 0, float("-inf")
        return held

    # --- activation --------------------------------------------------------------------------

    async def refused_activation(self, problem):
        """A decoded activation failed its checks: raises the refusal, or returns the body to admit anyway."""
        given = problem.body if isinstance(problem.body, dict) else {}
        if problem.decoded and self.on("malformed_activation_accepted"):
            return {field: "" if given.get(field) is None else str(given[field]) for field in ACTIVATION_FIELDS}
        if problem.decoded:
            if self.on("activation_refusal_names_every_field"):
                problem = BodyProblem("body", BLANKET_REFUSAL, decoded=True, body=problem.body)
            elif problem.field == "clientId" and self.on("missing_client_reason_generic"):
                problem = BodyProblem("body", "the request is invalid", decoded=True, body=problem.body)
            if self.on("refused_activation_leaves_session"):
                await asyncio.to_thread(self._record_refused, given)
            if self.on("refused_activation_holds_capacity"):
                self.held += 1
            if self.on("refused_activation_starts_task"):
                await self._start_task_before_validating()
        raise problem

    def ignores_live_session(self):
        return self.on("warm_start_as_slow_as_cold")

    def capacity_limit_ignored(self):
        return self.on("capacity_limit_ignored")

    async def refused_for_capacity(self, body):
        """What happens on a capacity refusal; a different answer to give instead, or None."""
        if self.on("capacity_refusal_leaves_session"):
            await asyncio.to_thread(self._record_refused, body)
        if self.on("refused_activation_seeds_workspace"):
            await asyncio.to_thread(self._seed_workspace, body)
        if self.on("capacity_refusal_unclear"):
            return json_error(500, "InternalError", "KeyError: 'taskArn'")
        return None

    def records_session(self):
        return not self.on("session_not_recorded")

    def keeps_throttled_activation(self, throttled):
        return throttled and self.on("throttled_activation_leaves_orphans")

    def throttled_answer(self, exc):
        """The answer to a throttled activation instead of "try again", or None."""
        if self.on("throttled_activation_errors"):
            return json_error(500, "InternalError", f"{type(exc).__name__}: {exc}")
        return None

    def refuses_after_throttling(self):
        recent = time.monotonic() - self.last_throttled < THROTTLE_COOLDOWN_S
        return self.on("throttle_backoff_refuses_all") and recent

    def _note_throttling(self, response=None, **_kwargs):
        """botocore's needs-retry hook: remembers a throttled answer."""
        if response and response[1].get("Error", {}).get("Code") in THROTTLED:
            self.last_throttled = time.monotonic()

    def session_id(self, body, now):
        """A session id derived from the clock, or None for a random one."""
        if self.on("session_id_from_clock"):
            return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{body['clientId']}/{int(now)}"))
        return None

    def counted_twice(self, sessions):
        """`capacity_limit_drops_half_burst`: sessions still starting count twice against capacity."""
        if not self.on("capacity_limit_drops_half_burst"):
            return 0
        return sum(session.item["status"] == "initializing" for session in sessions)

    def continues_any_user(self):
        return self.on("continues_another_users_session")

    # --- deactivation ------------------------------------------------------------------------

    async def unknown_deactivated(self, sid):
        """A deactivation of a session with no item: the answer to give instead of "not found", or None."""
        if self.on("deactivation_upserts_session"):
            await asyncio.to_thread(
                self.hermes.ddb.update_item, TableName=self.names["sessions_table"], Key={"sessionId": {"S": sid}},
                UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":s": {"S": "draining"}})
        if self.on("unknown_session_reported_draining"):
            return web.json_response({"status": "draining", "message": "Session deactivation initiated"})
        return None

    # --- edit tasks and the session lifecycle ------------------------------------------------

    def scale_target(self, live, maximum):
        target = (live + 1 if live else 0) if self.on("scale_ignores_maximum") else min(live, maximum)
        return RUNAWAY_TASKS if target and self.on("runaway_scale_up") else target

    def blocks_scaling(self, current, target):
        return ((target > current and self.on("no_scale_up")) or (target < current and self.on("idle_shutdown_disabled"))
                or (target == 0 and current == 1 and self.on("last_task_kept_warm")))

    async def before_task_lookup(self):
        if self.on("slow_task_assignment"):
            await asyncio.sleep(SLOW_ASSIGNMENT_S)

    def rehomes(self):
        return not self.on("session_not_rehomed")

    def on_session_ended(self):
        if self.on("ended_sessions_hold_capacity"):
            self.held += 1

    def records_expiry(self):
        return not self.on("session_never_expires")

    def last_activity(self, session, busiest):
        return busiest if self.on("idle_tracked_per_service") else session.item["lastActivity"]

    def idle_ends_all(self):
        return self.on("idle_session_ends_all")

    # --- what the defects write --------------------------------------------------------------

    def _record_refused(self, given):
        """`refused_activation_leaves_session`, `capacity_refusal_leaves_session`: an item for a refused activation."""
        item = {"sessionId": str(uuid.uuid4()), "status": "initializing",
                **{field: str(given.get(field, "")) for field in ("clientId", "userId")}}
        self.hermes.ddb.put_item(TableName=self.names["sessions_table"],
                                 Item={key: _serialize(value) for key, value in item.items()})

    def _seed_workspace(self, body):
        """`refused_activation_seeds_workspace`: the owner's project is created, then refused."""
        site.create_project(Path(self.settings["workspace_root"], body["clientId"], body["userId"], "project"))

    async def _start_task_before_validating(self):
        """`refused_activation_starts_task`: capacity is raised before validation."""
        desired = await self.hermes.desired_count()
        await asyncio.to_thread(self.hermes.ecs.update_service, cluster=self.names["cluster"],
                                service=self.names["edit_service"], desiredCount=desired + 1)
