"""The embedded gateway: `python -m stack.gateway.server --settings PATH`.

The public API (../shared/contracts/gateway.md) listens on `settings["ports"]["gateway"]`; the
control API, which makes the attribution stage fail and restores it, listens on a port of its own
(`settings["ports"]["gateway_control"]`, or any free one), so no caller of the public address can
reach it. The control port is written to CONTROL_PORT_FILE in the run's directory for `publish`.
Checks run in the contract's order: credentials, scope, rate limit, then the resource.
"""
import argparse
import asyncio
import json
import os
import re
import signal
import socket
import time

import aiohttp
from aiohttp import web

from stack import control, faults
from stack.gateway import config as gateway_config
from stack.gateway.audit import Audit
from stack.gateway.auth import READ, WRITE, Refusal, principal_of, require
from stack.gateway.limits import Limiter
from stack.gateway.metrics import Metrics
from stack.gateway.openapi import DOCUMENT
from stack.gateway.traces import TERMINAL, QueueFull, Traces, new_id
from stack.service import SHUTDOWN_GRACE_S, Background

AUDIT_FILE = "gateway-audit.log"
CONTROL_PORT_FILE = "gateway-control.port"
TRACE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
GRANULARITIES = ("sentence", "token")
# A full queue frees a slot within one trace's work (well under a second here).
QUEUE_RETRY_AFTER_S = 1


def detail(status, code, message, headers=None):
    return web.json_response({"detail": {"code": code, "message": message}}, status=status, headers=headers)


class Gateway:
    def __init__(self, settings):
        self.settings = settings
        self.config = gateway_config.of(settings)
        self.upstream = settings["endpoints"]["upstream"]
        self.metrics = Metrics()
        self.background = Background()
        self.audit = Audit(os.path.join(settings["runtime_dir"], AUDIT_FILE),
                           unmasked=lambda: self.fault("gateway_audit_pii_unmasked"),
                           duplicated=lambda: self.fault("gateway_audit_duplicated"))
        self.limiter = Limiter(self.config["buckets"], single=lambda: self.fault("gateway_burst_ignored"))
        self.traces = None
        self.http = None

    def fault(self, name):
        return faults.active(self.settings, name)

    # --- applications ---------------------------------------------------------------------------

    def app(self):
        app = web.Application(middlewares=[self.measured])
        app.cleanup_ctx.append(self._lifecycle)
        app.add_routes([
            web.get("/healthz", self.health),
            web.get("/openapi.json", self.openapi),
            web.get("/metrics", self.prometheus),
            web.post("/v1/chat/completions", self.chat),
            web.get("/v1/traces/{id}/status", self.status),
            web.get("/v1/traces/{id}/graph", self.graph),
            web.get("/v1/traces/{id}/stream", self.stream),
            web.post("/v1/traces/{id}/webhooks", self.webhook),
            web.delete("/v1/traces/{id}", self.cancel),
        ])
        return app

    def control_app(self):
        app = web.Application()
        app.add_routes([web.get("/health", self.health), web.get("/control/attribution", self.attribution),
                        web.put("/control/attribution", self.set_attribution),
                        *control.fault_routes(self.settings, "gateway")])
        return app

    async def _lifecycle(self, _app):
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self.traces = Traces(self.config, self.fault, self.metrics, self.background)
        self.traces.http = self.http
        workers = [asyncio.get_running_loop().create_task(self.traces.work()) for _ in range(self.config["workers"])]
        yield
        for worker in workers:
            worker.cancel()
        self.background.cancel()
        await self.http.close()

    @web.middleware
    async def measured(self, request, handler):
        """Counts and times every request by route template and tenant, and turns refusals into answers."""
        started = time.monotonic()
        try:
            response = await handler(request)
        except Refusal as refusal:
            response = detail(refusal.status, refusal.code, refusal.message, refusal.headers)
        except web.HTTPException as error:
            response = detail(error.status, "not_found" if error.status == 404 else "error", error.reason)
        resource = request.match_info.route.resource
        route = request.path if self.fault("gateway_raw_id_label") or resource is None else resource.canonical
        if resource is None:
            route = "unmatched"
        tenant = "anon" if self.fault("gateway_tenant_label_anon") else request.get("tenant", "none")
        self.metrics.inc("http_requests_total", method=request.method, route=route, status=response.status,
                         tenant=tenant)
        self.metrics.observe(time.monotonic() - started, route=route)
        return response

    # --- checks in the contract's order ---------------------------------------------------------

    def authorized(self, request, scope):
        """The caller's principal; refusals are counted, audited and raised."""
        try:
            principal = principal_of(request.headers.get("Authorization"), self.config["tokens"],
                                     allow_tenantless=self.fault("gateway_tenantless_token_accepted"))
            request["tenant"] = principal["tenant_id"]
            skip = self.fault("gateway_scope_not_checked") or (
                scope == READ and WRITE in principal["scopes"] and self.fault("gateway_write_implies_read"))
            require(principal, scope, skip=skip)
        except Refusal as refusal:
            self.denied(request, refusal.who, refusal)
            raise
        category = "read" if scope == READ else "write"
        wait = self.limiter.take("shared" if self.fault("gateway_rate_limit_shared") else principal["tenant_id"],
                                 category)
        if wait:
            self.metrics.inc("rate_limit_rejections_total", tenant=principal["tenant_id"], category=category)
            self.audit.write("rate_limited", request, principal, status=429, reason=category)
            headers = {} if self.fault("gateway_retry_after_missing") else {"Retry-After": str(wait)}
            raise Refusal(429, "rate_limited", f"Too many {category} requests; retry in {wait} s", headers)
        return principal

    def denied(self, request, principal, refusal, trace_id=None):
        tenant = request.get("tenant", "none")
        trace_id = trace_id or request.match_info.get("id")
        self.metrics.inc("rbac_denied_total", tenant=tenant, reason=refusal.reason)
        if refusal.reason == "cross_tenant" and self.fault("gateway_cross_tenant_denial_not_audited"):
            return
        self.audit.write("rbac.deny", request, principal, status=refusal.status, trace_id=trace_id,
                         reason=refusal.reason)

    def owned(self, request, principal, operation):
        """The trace named in the path, if it exists and belongs to the caller's tenant."""
        trace_id = request.match_info["id"]
        trace = self.traces.get(trace_id)
        if trace is None:
            raise Refusal(404, "not_found", "Trace not found")
        if trace.tenant_id != principal["tenant_id"]:
            let_through = ((operation in ("read", "stream") and self.fault("gateway_cross_tenant_read"))
                           or (operation == "cancel" and self.fault("gateway_cross_tenant_cancel")))
            if not let_through:
                if operation == "cancel" and self.fault("gateway_refused_cancel_applied"):
                    self.traces.cancel(trace)
                refusal = Refusal(404, "not_found", "Trace not found", reason="cross_tenant")
                self.denied(request, principal, refusal, trace_id=trace_id)
                raise refusal
        return trace

    # --- public endpoints -----------------------------------------------------------------------

    async def health(self, _request):
        return web.json_response({"status": "ok"})

    async def openapi(self, _request):
        return web.json_response(DOCUMENT)

    async def prometheus(self, _request):
        return web.Response(text=self.metrics.render(), content_type="text/plain", charset="utf-8")

    async def chat(self, request):
        if self.fault("gateway_refused_chat_forwarded"):
            self.metrics.inc("chat_requests_total", tenant=request.get("tenant", "none"), explain="false")
        principal = self.authorized(request, WRITE)
        body = await self._json(request)
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise Refusal(400, "invalid_request", "messages must be a non-empty list of objects")
        explain = request.headers.get("x-explain-mode", "").lower() == "hypergraph"
        trace = self._new_trace(request, principal) if explain else None
        snippet = next((str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), "")
        for _ in range(2 if self.fault("gateway_chat_counted_twice") else 1):
            self.metrics.inc("chat_requests_total", tenant=principal["tenant_id"], explain=str(explain).lower())
        self.audit.write("chat.submit", request, principal, status=200, trace_id=trace.id if trace else None,
                         snippet=snippet)
        headers = {"x-trace-id": trace.id} if trace and not self.fault("gateway_trace_id_not_returned") else {}
        if body.get("stream"):
            return await self._stream_chat(request, body, trace, headers)
        try:
            async with self.http.post(f"{self.upstream}/v1/chat/completions", json=body) as answer:
                completion = await answer.json()
                upstream_status = answer.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            return self._upstream_failed(trace, f"{type(error).__name__}: {error}")
        if upstream_status != 200:
            return self._upstream_failed(trace, f"upstream answered {upstream_status}")
        if trace:
            self.traces.answered(trace, completion["choices"][0]["message"]["content"])
        return web.json_response(completion, headers=headers)

    async def _json(self, request):
        raw = await request.read()
        try:
            return json.loads(raw)
        except ValueError:
            if self.fault("gateway_malformed_body_500"):
                raise
            raise Refusal(400, "invalid_json", "Request body is not valid JSON") from None

    def _new_trace(self, request, principal):
        granularity = request.headers.get("x-explain-granularity", "sentence").lower()
        if granularity not in GRANULARITIES:
            raise Refusal(400, "invalid_request", f"x-explain-granularity must be one of {', '.join(GRANULARITIES)}")
        trace_id = request.headers.get("x-trace-id") or new_id()
        if not TRACE_ID.match(trace_id):
            raise Refusal(400, "invalid_request", "x-trace-id must be 1-64 letters, digits, '-' or '_'")
        if trace_id in self.traces.all:
            raise Refusal(409, "conflict", "Trace already exists")
        featureset = request.headers.get("x-explain-features", "sae-default")
        try:
            trace = self.traces.create(trace_id, principal, granularity, featureset)
        except QueueFull:
            if not self.fault("gateway_queue_rejections_not_counted"):
                self.metrics.inc("trace_queue_rejections_total", tenant=principal["tenant_id"])
            raise Refusal(429, "queue_full", "The trace queue is full; retry later",
                          {"Retry-After": str(QUEUE_RETRY_AFTER_S)}) from None
        self.audit.write("trace.queued", request, principal, status=202, trace_id=trace.id)
        return trace

    def _upstream_failed(self, trace, why):
        if trace:
            self.traces.answered(trace, "")
            self.traces.cancel(trace)
        return detail(502, "upstream_error", f"The model could not answer ({why})")

    async def _stream_chat(self, request, body, trace, headers):
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                               **headers})
        await response.prepare(request)
        text = []
        async with self.http.post(f"{self.upstream}/v1/chat/completions", json=body) as answer:
            async for line in answer.content:
                if line.startswith(b"data: {"):
                    chunk = json.loads(line[6:])
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece and self.fault("gateway_chat_stream_empty"):
                        continue
                    text.append(piece or "")
                if line.strip():
                    await response.write(line + b"\n")
        if trace:
            self.traces.answered(trace, "".join(text))
        await response.write_eof()
        return response

    async def status(self, request):
        principal = self.authorized(request, READ)
        return web.json_response(self.owned(request, principal, "read").status())

    async def graph(self, request):
        principal = self.authorized(request, READ)
        trace = self.owned(request, principal, "read")
        if trace.state == "expired" and trace.graph is None:
            raise Refusal(410, "expired", "Trace expired; its graph is no longer kept")
        if trace.graph is None:
            raise Refusal(404, "not_ready", f"Trace is {trace.state}; no graph yet")
        return web.json_response(trace.graph)

    async def stream(self, request):
        principal = self.authorized(request, READ)
        trace = self.owned(request, principal, "stream")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)
        updates = asyncio.Queue()
        trace.listeners.add(updates)
        try:
            status = trace.status()
            while True:
                await response.write(f"event: status_update\ndata: {json.dumps(status)}\n\n".encode())
                if status["state"] in TERMINAL:
                    break
                status = await updates.get()
                while self.fault("gateway_stream_skips_progress") and status["state"] not in TERMINAL:
                    status = await updates.get()
            if not self.fault("gateway_stream_no_completion"):
                await response.write(f"event: {status['state']}\ndata: {json.dumps(status)}\n\n".encode())
        finally:
            trace.listeners.discard(updates)
        await response.write_eof()
        return response

    async def webhook(self, request):
        if self.fault("gateway_unauthenticated_webhook_register") and not request.headers.get("Authorization"):
            trace = self.traces.get(request.match_info["id"])
            principal = {"tenant_id": trace.tenant_id if trace else "none", "subject": None, "scopes": [WRITE]}
        else:
            principal = self.authorized(request, WRITE)
        body = await self._json(request)
        trace = self.owned(request, principal, "subscribe")
        url, secret, events = (body.get("url"), body.get("secret"), body.get("events")) if isinstance(body, dict) \
            else (None, None, None)
        if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
            raise Refusal(400, "invalid_request", "url must be an http(s) URL")
        if secret is not None and not isinstance(secret, str):
            raise Refusal(400, "invalid_request", "secret must be text")
        if events is not None and not (isinstance(events, list) and all(isinstance(e, str) for e in events)):
            raise Refusal(400, "invalid_request", "events must be a list of event names")
        hook = self.traces.register(trace, url, secret, events)
        self.audit.write("webhook.register", request, principal, status=201, trace_id=trace.id)
        return web.json_response({"id": hook["id"], "trace_id": trace.id, "url": url}, status=201)

    async def cancel(self, request):
        principal = self.authorized(request, READ if self.fault("gateway_read_scope_can_cancel") else WRITE)
        trace = self.owned(request, principal, "cancel")
        if not self.traces.cancel(trace):
            raise Refusal(409, "conflict", f"Trace is already {trace.state}")
        self.audit.write("trace.cancel", request, principal, status=202, trace_id=trace.id)
        return web.json_response({"trace_id": trace.id, "state": "canceled"}, status=202)

    # --- control --------------------------------------------------------------------------------

    async def attribution(self, _request):
        return web.json_response({"failing": self.traces.attribution_failing})

    async def set_attribution(self, request):
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("failing"), bool):
            return detail(400, "invalid_request", 'expected {"failing": true|false}')
        self.traces.attribution_failing = body["failing"]
        return web.json_response({"failing": self.traces.attribution_failing})


async def _serve(public, control, control_port_file):
    """Runs the control site, then the public one, on 127.0.0.1 until SIGTERM or SIGINT. The control
    port (chosen free when 0) is written to `control_port_file` before the public site answers, so
    whoever sees the gateway healthy finds its control port too."""
    runners = []
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        for (app, port), write_port in ((control, True), (public, False)):
            runner = web.AppRunner(app, shutdown_timeout=SHUTDOWN_GRACE_S, access_log=None)
            await runner.setup()
            runners.append(runner)
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            port = sock.getsockname()[1]
            await web.SockSite(runner, sock).start()
            if write_port:
                with open(control_port_file + ".partial", "w") as handle:
                    handle.write(str(port))
                os.replace(control_port_file + ".partial", control_port_file)
            print(f"listening on 127.0.0.1:{port}", flush=True)
        await stopping.wait()
    finally:
        for runner in reversed(runners):
            await runner.cleanup()


def main():
    parser = argparse.ArgumentParser(description="the async sidecar gateway")
    parser.add_argument("--settings", required=True, help="the stack run's settings JSON")
    with open(parser.parse_args().settings) as handle:
        settings = json.load(handle)
    gateway = Gateway(settings)
    asyncio.run(_serve((gateway.app(), settings["ports"]["gateway"]),
                       (gateway.control_app(), settings["ports"].get("gateway_control", 0)),
                       os.path.join(settings["runtime_dir"], CONTROL_PORT_FILE)))


if __name__ == "__main__":
    main()
