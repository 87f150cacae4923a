"""Session-store throttling on demand, and the control API that switches it on.

moto never throttles, yet the platform must answer a throttled session table with a clear "try
again" and leave nothing behind. The throttle sits in Hermes's own DynamoDB client, at the moment
a request would be sent, and answers writes to the session table exactly as DynamoDB does when
it throttles (400 `ProvisionedThroughputExceededException`), so botocore's retries and Hermes's
error handling run unchanged. It is reached on Hermes's port under `/control`, which the load
balancer never routes to.
"""
import json
import threading
import time

from aiohttp import web
from botocore.awsrequest import AWSResponse

from stack.body import read_body

# The error codes of a throttled DynamoDB request.
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
# Enough for any scenario; a larger number is a typo, not a test.
MAX_WRITES = 1000
MAX_SECONDS = 600
THROTTLED_BODY = json.dumps({
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded.",
}).encode()


class _Body:
    """The raw stream botocore reads a response from."""

    def __init__(self, content):
        self._content = content

    def stream(self, **_kwargs):
        yield self._content


class StoreThrottle:
    """Refuses writes to one table: the next N of them, or all of them until a moment."""

    def __init__(self, table):
        self.table = table
        self._lock = threading.Lock()
        self._writes_left = 0
        self._until = 0.0
        self.throttled = 0

    def install(self, client):
        for operation in WRITES:
            client.meta.events.register(f"before-send.dynamodb.{operation}", self._gate)

    def start(self, writes=None, seconds=None):
        with self._lock:
            self._writes_left = writes or 0
            self._until = time.monotonic() + seconds if seconds else 0.0
            self.throttled = 0

    def stop(self):
        with self._lock:
            self._writes_left, self._until = 0, 0.0

    def state(self):
        with self._lock:
            return {"active": self._active(), "writesLeft": self._writes_left,
                    "secondsLeft": round(max(0.0, self._until - time.monotonic()), 3), "throttled": self.throttled}

    def _active(self):
        return self._writes_left > 0 or time.monotonic() < self._until

    def _gate(self, request, **_kwargs):
        """botocore's before-send hook: a response returned here is used instead of sending the request."""
        try:
            table = json.loads(request.body or b"{}").get("TableName")
        except (TypeError, ValueError):
            table = None
        with self._lock:
            if table != self.table or not self._active():
                return None
            if self._writes_left > 0:
                self._writes_left -= 1
            self.throttled += 1
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "throttled-by-stack-control"}
        return AWSResponse(request.url, 400, headers, _Body(THROTTLED_BODY))

    # --- the control API ---------------------------------------------------------------------

    def routes(self, path):
        return [web.get(path, self._show), web.post(path, self._start), web.delete(path, self._stop)]

    async def _show(self, _request):
        return web.json_response(self.state())

    async def _start(self, request):
        """`{"writes": N}` throttles the next N writes; `{"seconds": S}` every write for S seconds."""
        body = await read_body(request, check=_throttle_problem)
        self.start(writes=body.get("writes"), seconds=body.get("seconds"))
        return web.json_response(self.state())

    async def _stop(self, _request):
        self.stop()
        return web.json_response(self.state())


def _throttle_problem(body):
    """(field, message) for the first thing wrong with a throttle request, or None."""
    unknown = sorted(set(body) - {"writes", "seconds"})
    if unknown:
        return unknown[0], f"unknown field {unknown[0]!r}; give 'writes' or 'seconds'"
    if len(body) != 1:
        return "body", "give exactly one of 'writes' or 'seconds'"
    if "writes" in body:
        writes = body["writes"]
        if not isinstance(writes, int) or isinstance(writes, bool) or not 1 <= writes <= MAX_WRITES:
            return "writes", f"writes must be a whole number from 1 to {MAX_WRITES}"
        return None
    seconds = body["seconds"]
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 < seconds <= MAX_SECONDS:
        return "seconds", f"seconds must be a number above 0 and at most {MAX_SECONDS}"
    return None
