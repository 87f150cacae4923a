"""The load balancer: one address for Hermes, the edit service's API and every session's preview.

Like the production ALB it only routes by path; a session's target is looked up in Hermes on
every request, so a preview follows its session to a replacement task and stops at expiry.
"""
import asyncio
import random

import aiohttp
from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from stack import faults
from stack.preview import live_reload
from stack.preview.web import (
    ID_RULE, healthy, json_error, json_errors, parse_args, running_edit_tasks, session_not_found, valid_id,
)
from stack.service import serve
from stack.settings import aws_client

# Headers that describe one connection, not the message, so they are never forwarded.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "content-length",
}
# Previews are static pages and API calls are small; a target slower than this is unhealthy.
TARGET_TIMEOUT_S = 30.0


class Router:
    def __init__(self, settings):
        self.settings = settings
        self.names = settings["names"]
        self.hermes = settings["endpoints"]["hermes"]
        self.ecs = aws_client(settings, "ecs")
        self.http = None
        self.ws_http = None

    def app(self):
        app = web.Application(middlewares=[json_errors], client_max_size=1024**2)
        app.cleanup_ctx.append(self._lifecycle)
        app.add_routes(
            [
                web.get("/health", healthy),
                web.route("*", "/hermes/{tail:.*}", self.to_hermes),
                web.route("*", "/api/{tail:.*}", self.to_edit_service),
                web.route("*", "/session/{sessionId}", self.to_session),
                web.route("*", "/session/{sessionId}/{tail:.*}", self.to_session),
                web.get("/ws/hmr", self.to_live_reload),
            ]
        )
        return app

    async def _lifecycle(self, _app):
        self.http = aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=TARGET_TIMEOUT_S))
        # A live-reload connection lasts as long as the preview is open, so only connecting is timed.
        self.ws_http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, connect=TARGET_TIMEOUT_S))
        yield
        await self.http.close()
        await self.ws_http.close()

    async def to_hermes(self, request):
        if request.match_info["tail"] in ("health/ready", "health/live") and faults.active(
                self.settings, "hermes_health_misrouted"):
            return await self.to_edit_service(request)
        return await self._proxy(request, self.hermes, "Hermes")

    async def to_edit_service(self, request):
        if faults.active(self.settings, "api_not_routed"):
            return json_error(404, "NotFound", f"no rule matches {request.path}")
        try:
            ports = list((await asyncio.to_thread(running_edit_tasks, self.ecs, self.names)).values())
        except (BotoCoreError, ClientError) as exc:
            return json_error(503, "ServiceUnavailable", f"no healthy target: cannot list edit tasks ({exc})")
        if not ports:
            if faults.active(self.settings, "no_target_not_found"):
                return json_error(404, "NotFound", "no target")
            return json_error(503, "ServiceUnavailable", "no healthy target")
        return await self._proxy(request, f"http://127.0.0.1:{random.choice(ports)}", "the edit service")

    async def to_session(self, request):
        sid = request.match_info["sessionId"]
        if not valid_id(sid):
            return json_error(400, "ValidationError", f"session id {ID_RULE}", field="sessionId")
        if faults.active(self.settings, "preview_not_served"):
            return session_not_found()
        if "tail" not in request.match_info and faults.active(self.settings, "preview_index_not_routed"):
            return json_error(404, "NotFound", f"no rule matches {request.path}")
        port, refusal = await self._session_port(sid)
        if refusal is not None:
            return refusal
        return await self._proxy(request, f"http://127.0.0.1:{port}", f"session {sid}")

    async def to_live_reload(self, request):
        """`/ws/hmr?sessionId=…`: the session's live-reload WebSocket, relayed to the task that holds it."""
        sid = request.query.get("sessionId")
        if sid is None:
            refusal = json_error(400, "ValidationError", "sessionId is required", field="sessionId")
        elif not valid_id(sid):
            refusal = json_error(400, "ValidationError", f"sessionId {ID_RULE}", field="sessionId")
        else:
            port, refusal = await self._session_port(sid)
        if refusal is not None:
            if faults.active(self.settings, "router_accepts_any_websocket"):
                return await live_reload.accept_and_close(request, "no such session")
            return refusal
        if faults.active(self.settings, "router_drops_websocket"):
            return await live_reload.accept_and_close(request, "dropped")
        return await live_reload.relay(request, self.ws_http, f"http://127.0.0.1:{port}/ws/hmr?sessionId={sid}")

    async def _session_port(self, sid):
        """(port, None) of the task that holds an active session, else (None, the answer to give instead)."""
        try:
            async with self.http.get(f"{self.hermes}/hermes/api/sessions/{sid}/status") as response:
                found = response.status
                status = await response.json() if found == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            reason = f"Hermes did not answer ({exc!r})"
            return None, json_error(503, "ServiceUnavailable", f"no healthy target for session {sid}: {reason}")
        if found == 404:
            if faults.active(self.settings, "unknown_session_unavailable"):
                return None, json_error(503, "ServiceUnavailable", f"no healthy target for session {sid}")
            return None, session_not_found()
        if status is None or status.get("status") != "active" or not status.get("containerPort"):
            state = status.get("status") if status else f"Hermes answered {found}"
            return None, json_error(503, "ServiceUnavailable", f"no healthy target for session {sid} ({state})")
        return status["containerPort"], None

    async def _proxy(self, request, target, what):
        """Forwards the request unchanged (method, path, query, headers, body) and relays the answer."""
        headers = [(key, value) for key, value in request.headers.items() if key.lower() not in HOP_BY_HOP]
        try:
            async with self.http.request(
                request.method, f"{target}{request.rel_url}", headers=headers, data=await request.read(),
                allow_redirects=False,
            ) as response:
                body = await response.read()
                relayed = [(key, value) for key, value in response.headers.items() if key.lower() not in HOP_BY_HOP]
                return web.Response(status=response.status, body=body, headers=relayed)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return json_error(503, "ServiceUnavailable", f"no healthy target for {what}: {exc!r}")


def main():
    settings, _ = parse_args("the load balancer")
    serve(Router(settings).app(), settings["ports"]["lb"])


if __name__ == "__main__":
    main()
