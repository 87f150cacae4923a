"""Traces: created by an explained chat, worked through their stages by asynchronous workers, and
announced to live streams and webhooks as they change.

A trace goes queued → running (stages fetch, decode, attribution) → complete, or ends failed,
canceled or (a finished graph past its time to live) expired. The queue is bounded: a full queue
refuses new traces instead of growing without limit.
"""
import asyncio
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field

import aiohttp

from stack.gateway import hif

STAGES = ("fetch", "decode", "attribution")
TERMINAL = ("complete", "failed", "canceled", "expired")
# How long a batched completion (a fault) waits: past every local latency budget.
BATCH_FLUSH_S = 1.0


def _now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def new_id():
    return "trc_" + secrets.token_hex(6)


@dataclass
class Trace:
    id: str
    tenant_id: str
    subject: str
    granularity: str
    featureset: str
    text: str = ""
    state: str = "queued"
    stage: str = "queued"
    progress: float = 0.0
    error: dict = None
    updated_at: str = field(default_factory=_now)
    completed_at: float = None
    graph: dict = None
    webhooks: list = field(default_factory=list)
    listeners: set = field(default_factory=set)
    text_ready: asyncio.Event = field(default_factory=asyncio.Event)

    def status(self):
        return {"trace_id": self.id, "state": self.state, "progress": round(self.progress, 2), "stage": self.stage,
                "updated_at": self.updated_at, "granularity": self.granularity, "featureset": self.featureset,
                "error": self.error}


class QueueFull(Exception):
    pass


class Traces:
    def __init__(self, config, fault, metrics, background):
        self.config = config
        self.fault = fault
        self.metrics = metrics
        self.background = background
        self.all = {}
        # The bound is enforced in `create`, so that it is a rule of the gateway, not of asyncio.
        self.queue = asyncio.Queue()
        self.attribution_failing = False
        self.broken = False
        self.http = None
        self.taken = 0
        metrics.set("trace_queue_capacity", config["queue_size"])
        metrics.set("trace_queue_depth", 0)

    # --- lifecycle ------------------------------------------------------------------------------

    def get(self, trace_id):
        trace = self.all.get(trace_id)
        if trace is not None:
            self._expire_if_due(trace)
        return trace

    def _expire_if_due(self, trace):
        if (trace.state == "complete" and trace.completed_at is not None
                and time.monotonic() >= trace.completed_at + self.config["trace_ttl_s"]):
            trace.state, trace.updated_at = "expired", _now()
            if not self.fault("gateway_expiry_not_enforced"):
                trace.graph = None

    def create(self, trace_id, principal, granularity, featureset):
        """Queues a new trace, or raises QueueFull when every slot is taken."""
        trace = Trace(trace_id, principal["tenant_id"], principal["subject"], granularity, featureset)
        if self.queue.qsize() >= self.config["queue_size"] and not self.fault("gateway_queue_unbounded"):
            if self.fault("gateway_accepted_trace_dropped"):
                self.queue.get_nowait()
            raise QueueFull()
        self.queue.put_nowait(trace)
        self.all[trace_id] = trace
        self.metrics.set("trace_queue_depth", self.queue.qsize())
        self.metrics.inc("traces_total", tenant=trace.tenant_id, state="queued")
        return trace

    def answered(self, trace, text):
        trace.text = text
        trace.text_ready.set()

    def cancel(self, trace):
        """True when the trace was still running and is now canceled."""
        finished = trace.state in TERMINAL and not self.fault("gateway_cancel_finished_accepted")
        if finished or (trace.state not in TERMINAL and self.fault("gateway_cancel_running_refused")):
            return False
        if not self.fault("gateway_cancel_ignored"):
            self._change(trace, state="canceled")
        return True

    # --- the workers ----------------------------------------------------------------------------

    async def work(self):
        while True:
            trace = await self.queue.get()
            self.metrics.set("trace_queue_depth", self.queue.qsize())
            self.taken += 1
            if self.fault("gateway_status_never_progresses") or (
                    self.taken % 10 == 0 and self.fault("gateway_trace_lost_now_and_then")):
                continue
            try:
                await self._process(trace)
            except Exception as error:  # noqa: BLE001 - one broken trace must not stop the worker
                self._change(trace, state="failed", error={"code": "internal", "message": str(error)})

    async def _process(self, trace):
        stage_s = self.config["stage_s"][trace.granularity]
        for index, stage in enumerate(STAGES):
            if trace.state == "canceled":
                return
            self._change(trace, state="running", stage=stage, progress=index / len(STAGES))
            if stage == "fetch":
                await trace.text_ready.wait()
            await asyncio.sleep(stage_s)
            token_hangs = trace.granularity == "token" and self.fault("gateway_token_attribution_hangs")
            if stage == "attribution" and token_hangs:
                return
            if stage == "attribution" and (self.attribution_failing or self.broken):
                self.broken = self.broken or self.fault("gateway_no_recovery")
                if self.fault("gateway_failure_hangs"):
                    return
                self._change(trace, state="failed", error={"code": "attribution_failed",
                                                           "message": "the attribution stage failed"})
                return
        if trace.state == "canceled":
            return
        granularity = "sentence" if self.fault("gateway_graph_wrong_granularity") else trace.granularity
        trace.graph = hif.build(trace.id, trace.text, granularity, trace.featureset,
                                drop_incidences=self.fault("gateway_graph_missing_incidences"))
        if self.fault("gateway_completion_batched"):
            self.background.start(self._complete_later(trace))
            return
        self._complete(trace)

    async def _complete_later(self, trace):
        await asyncio.sleep(BATCH_FLUSH_S)
        self._complete(trace)

    def _complete(self, trace):
        trace.completed_at = time.monotonic()
        self._change(trace, state="complete", stage="complete", progress=1.0)

    def _change(self, trace, **changes):
        for key, value in changes.items():
            setattr(trace, key, value)
        trace.updated_at = _now()
        terminal = trace.state in TERMINAL
        if terminal:
            self.metrics.inc("traces_total", tenant=trace.tenant_id, state=trace.state)
        for listener in list(trace.listeners):
            listener.put_nowait(trace.status())
        if terminal:
            for hook in trace.webhooks:
                self.deliver(trace, hook)

    # --- webhooks -------------------------------------------------------------------------------

    def register(self, trace, url, secret, events):
        hook = {"id": "whk_" + secrets.token_hex(6), "trace_id": trace.id, "url": url, "secret": secret,
                "events": events}
        trace.webhooks.append(hook)
        if trace.state in TERMINAL:
            self.deliver(trace, hook)
        return hook

    def deliver(self, trace, hook):
        event = f"trace.{trace.state}"
        if hook["events"] and event not in hook["events"]:
            return
        if self.fault("gateway_webhook_not_sent"):
            return
        body = json.dumps({"trace_id": trace.id, "state": trace.state, "event": event}).encode()
        headers = {"Content-Type": "application/json"}
        if hook["secret"]:
            key = trace.id if self.fault("gateway_webhook_signature_wrong") else hook["secret"]
            headers["X-Signature-256"] = "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
        self.background.start(self._post(hook["url"], body, headers))

    async def _post(self, url, body, headers):
        for attempt in range(self.config["webhook_attempts"]):
            try:
                async with self.http.post(url, data=body, headers=headers) as response:
                    if response.status < 500:
                        return
            except (OSError, aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(self.config["webhook_retry_s"] * (attempt + 1))
