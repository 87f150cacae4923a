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
from stack.preview.web import (
    ID_RULE, healthy, json_error, json_errors, parse_args, running_edit_tasks, serve, session_not_found, valid_id,
)
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
            ]
        )
        return app

    async def _lifecycle(self, _app):
        self.http = aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=TARGET_TIMEOUT_S))
        yield
        await self.http.close()

    async def to_hermes(self, request):
        return await self._proxy(request, self.hermes, "Hermes")

    async def to_edit_service(self, request):
        try:
            ports = list((await asyncio.to_thread(running_edit_tasks, self.ecs, self.names)).values())
        except (BotoCoreError, ClientError) as exc:
            return json_error(503, "ServiceUnavailable", f"no healthy target: cannot list edit tasks ({exc})")
        if not ports:
            return json_error(503, "ServiceUnavailable", "no healthy target")
        return await self._proxy(request, f"http://127.0.0.1:{random.choice(ports)}", "the edit service")

    async def to_session(self, request):
        sid = request.match_info["sessionId"]
        if not valid_id(sid):
            return json_error(400, "ValidationError", f"session id {ID_RULE}", field="sessionId")
        if faults.active(self.settings, "preview_not_served"):
            return session_not_found()
        try:
            async with self.http.get(f"{self.hermes}/hermes/api/sessions/{sid}/status") as response:
                found = response.status
                status = await response.json() if found == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            reason = f"Hermes did not answer ({exc!r})"
            return json_error(503, "ServiceUnavailable", f"no healthy target for session {sid}: {reason}")
        if found == 404:
            return session_not_found()
        if status is None or status.get("status") != "active" or not status.get("containerPort"):
            state = status.get("status") if status else f"Hermes answered {found}"
            return json_error(503, "ServiceUnavailable", f"no healthy target for session {sid} ({state})")
        return await self._proxy(request, f"http://127.0.0.1:{status['containerPort']}", f"session {sid}")

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
