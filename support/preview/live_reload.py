"""A browser's live-reload connection to a session's preview, opened through the load balancer.

An open preview keeps a WebSocket to `/ws/hmr?sessionId=…` (Vite's HMR protocol, subprotocol
`vite-hmr`): the server says `connected` once it is open and `full-reload` (or `update`) when the
page should change. Connections run on one background thread with its own event loop, so steps
stay synchronous and read what arrived through support.waits.
"""
import asyncio
import json
import threading

import aiohttp
import allure

from support.http import Answer, parse_body
from support.waits import eventually

PATH = "/ws/hmr"
PROTOCOL = "vite-hmr"
RELOAD_TYPES = ("full-reload", "update")
# Opening a WebSocket is one round trip through the load balancer; this long means it hangs.
OPEN_TIMEOUT_S = 30.0


class Connection:
    """One open live-reload WebSocket; `messages` fills as the server speaks."""

    def __init__(self, socket, session, loop):
        self._socket, self._session, self._loop = socket, session, loop
        self.messages = []
        self.closed = False
        self.close_code = None
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self):
        async for message in self._socket:
            if message.type == aiohttp.WSMsgType.TEXT:
                try:
                    self.messages.append(json.loads(message.data))
                except ValueError:
                    self.messages.append({"unreadable": message.data})
        self.closed, self.close_code = True, self._socket.close_code

    def observed(self):
        """What a waiting step looks at: the messages so far and whether the line is still up."""
        return {"open": not self.closed, "closeCode": self.close_code, "messages": list(self.messages)}

    def close(self):
        async def shut():
            await self._socket.close()
            await self._session.close()

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(shut(), self._loop).result(OPEN_TIMEOUT_S)


class LiveReload:
    def __init__(self, load_balancer, interval):
        self.url = load_balancer.replace("http", "ws", 1).rstrip("/") + PATH
        self.http_url = load_balancer.rstrip("/") + PATH
        self.interval = interval
        self._loop = None
        self._thread = None

    def _running_loop(self):
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="live-reload", daemon=True)
            self._thread.start()
        return self._loop

    def open_e(self, query):
        """A Connection, or the Answer the load balancer answered instead of upgrading."""
        loop = self._running_loop()
        return asyncio.run_coroutine_threadsafe(self._open(query, loop), loop).result(OPEN_TIMEOUT_S)

    async def _open(self, query, loop):
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, connect=OPEN_TIMEOUT_S))
        try:
            socket = await session.ws_connect(self.url, params=query, protocols=(PROTOCOL,))
        except aiohttp.WSServerHandshakeError as refused:
            # The handshake error drops the body; the same request without the upgrade gets the reason.
            async with session.get(self.http_url, params=query) as answer:
                refusal = Answer(refused.status, parse_body(await answer.text()), dict(answer.headers))
            await session.close()
            return refusal
        except BaseException:
            await session.close()
            raise
        return Connection(socket, session, loop)

    def wait_until_open(self, connection, within):
        """Open means the session's own channel said `connected` through the load balancer and stayed up."""
        return eventually(
            connection.observed,
            until=lambda seen: seen["open"] and any(m.get("type") == "connected" for m in seen["messages"]),
            within=within,
            describe="the live reload connection to be open through the load balancer",
            interval=self.interval,
        )

    def wait_for_reload(self, connection, within):
        seen = eventually(
            connection.observed,
            until=lambda seen: any(m.get("type") in RELOAD_TYPES for m in seen["messages"]),
            within=within,
            describe="a reload message on the live reload connection",
            interval=self.interval,
        )
        allure.attach(json.dumps(seen, indent=2), name="live reload messages",
                      attachment_type=allure.attachment_type.JSON)
        return seen

    def close(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(OPEN_TIMEOUT_S)
            self._loop.close()
            self._loop = None
