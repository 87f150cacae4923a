"""A session's live-reload channel: the edit container's side of Vite's HMR WebSocket.

A browser with the preview open connects to `/ws/hmr?sessionId=…` (through the load balancer,
subprotocol `vite-hmr`), receives `{"type": "connected"}`, and after every rebuild receives
`{"type": "full-reload", "path": "*"}`, on which Vite's client reloads the page.
"""
import asyncio

import aiohttp
from aiohttp import WSCloseCode, web

from stack.preview.web import json_error

PROTOCOL = "vite-hmr"
# Vite's client pings every 30 s; a connection silent for longer than this is gone.
HEARTBEAT_S = 30.0


class LiveReload:
    def __init__(self):
        self.sockets = set()

    async def connect(self, request):
        """Holds one browser's connection open until it leaves or the channel is closed."""
        socket = web.WebSocketResponse(protocols=(PROTOCOL,), heartbeat=HEARTBEAT_S)
        if not socket.can_prepare(request).ok:
            return json_error(400, "ValidationError", "live reload needs a WebSocket upgrade")
        await socket.prepare(request)
        self.sockets.add(socket)
        try:
            await socket.send_json({"type": "connected"})
            async for _message in socket:  # a browser only pings; nothing it sends changes anything
                pass
        finally:
            self.sockets.discard(socket)
        return socket

    async def reload(self):
        for socket in list(self.sockets):
            try:
                await socket.send_json({"type": "full-reload", "path": "*"})
            except ConnectionError:
                self.sockets.discard(socket)

    async def close(self, reason):
        for socket in list(self.sockets):
            await socket.close(code=WSCloseCode.GOING_AWAY, message=reason.encode()[:120])


def _upgrade(request):
    """A server-side WebSocket for `request`, or None when the request is not a WebSocket upgrade."""
    socket = web.WebSocketResponse(protocols=(PROTOCOL,))
    return socket if socket.can_prepare(request).ok else None


def _not_an_upgrade():
    return json_error(400, "ValidationError", "live reload needs a WebSocket upgrade")


async def relay(request, http, target):
    """The load balancer's part: joins a browser's WebSocket to the channel at `target`, both ways,
    until either side closes. The channel is reached first, so a browser is never left on a dead line."""
    browser = _upgrade(request)
    if browser is None:
        return _not_an_upgrade()
    try:
        channel = await http.ws_connect(target, protocols=(PROTOCOL,))
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return json_error(503, "ServiceUnavailable", f"the session's live-reload channel did not answer ({exc!r})")
    await browser.prepare(request)
    try:
        await asyncio.gather(_pipe(channel, browser), _pipe(browser, channel))
    finally:
        await channel.close()
        await browser.close()
    return browser


async def accept_and_close(request, reason):
    """Opens the WebSocket and closes it at once: what the router's live-reload defects do."""
    socket = _upgrade(request)
    if socket is None:
        return _not_an_upgrade()
    await socket.prepare(request)
    await socket.close(code=WSCloseCode.GOING_AWAY, message=reason.encode()[:120])
    return socket


async def _pipe(source, sink):
    async for message in source:
        if message.type == aiohttp.WSMsgType.TEXT:
            await sink.send_str(message.data)
        elif message.type == aiohttp.WSMsgType.BINARY:
            await sink.send_bytes(message.data)
    await sink.close()
