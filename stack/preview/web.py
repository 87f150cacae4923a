"""Plumbing every preview service shares: JSON errors, id checks, stage logs and serving on a port.

The suite relies on three properties of every service, so they live here once: errors are JSON
(never aiohttp's HTML pages, never a 500 for bad input), ids never carry path characters, and a
SIGTERM ends the process cleanly after its cleanup hooks ran.
"""
import argparse
import re
import sys
import time
import traceback

from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from stack import settings as stack_settings
from stack.body import BodyProblem

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
ID_RULE = "must be 1-128 letters, digits or _.@+- starting with a letter or digit, without '..'"

# In-flight requests get this long after SIGTERM; the orchestrator SIGKILLs workers after 2 s.


def valid_id(value):
    """True for ids that are safe as one path segment (client, user, session, thread ids)."""
    return isinstance(value, str) and bool(ID_PATTERN.match(value)) and ".." not in value


def json_error(status, error, message, **extra):
    return web.json_response({"error": error, "message": message, **extra}, status=status)


def session_not_found():
    return json_error(404, "NotFound", "Session not found")


async def healthy(_request):
    """GET /health of a service that is up as soon as it answers."""
    return web.json_response({"status": "healthy"})


def running_edit_tasks(ecs, names):
    """{task ARN: host port} of the edit service's RUNNING tasks, as a boto3 `ecs` client sees them."""
    cluster = names["cluster"]
    arns = ecs.list_tasks(cluster=cluster, serviceName=names["edit_service"], desiredStatus="RUNNING")["taskArns"]
    if not arns:
        return {}
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    return {
        task["taskArn"]: task["containers"][0]["networkBindings"][0]["hostPort"]
        for task in tasks
        if task["lastStatus"] == "RUNNING"
    }


@web.middleware
async def json_errors(request, handler):
    """Turns unusable bodies, aiohttp's HTTP errors and unexpected exceptions into JSON answers."""
    try:
        return await handler(request)
    except BodyProblem as problem:
        error = "PayloadTooLarge" if problem.status == 413 else "ValidationError"
        return json_error(problem.status, error, problem.message, field=problem.field)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return json_error(exc.status, exc.reason.replace(" ", ""), f"{exc.reason}: {request.method} {request.path}")
    except Exception as exc:
        traceback.print_exc()
        return json_error(500, "InternalError", f"{type(exc).__name__}: {exc}")


def parse_args(description, *options):
    """`--settings PATH` plus the service's own options; returns (settings, args)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--settings", required=True, help="the stack run's settings JSON")
    for name, kind in options:
        parser.add_argument(name, type=kind, required=True)
    args = parser.parse_args()
    return stack_settings.load(args.settings), args


class StageLog:
    """One CloudWatch Logs stream for a service's stage markers, echoed to stdout.

    The stream is created on first use, because services start before moto is provisioned. The
    suite measures stages from these events, so a marker that cannot be written is reported on
    stderr but never fails the work it describes.
    """

    def __init__(self, settings, group, stream):
        self._client = stack_settings.aws_client(settings, "logs")
        self._group, self._stream = group, stream

    def put(self, message):
        """Blocking: call it from a thread when on an event loop."""
        print(message, flush=True)
        event = {"timestamp": int(time.time() * 1000), "message": message}
        try:
            try:
                self._client.put_log_events(logGroupName=self._group, logStreamName=self._stream, logEvents=[event])
            except self._client.exceptions.ResourceNotFoundException:
                self._create_stream()
                self._client.put_log_events(logGroupName=self._group, logStreamName=self._stream, logEvents=[event])
        except (BotoCoreError, ClientError) as exc:
            print(f"CloudWatch Logs {self._group}/{self._stream}: {exc}", file=sys.stderr, flush=True)

    def _create_stream(self):
        try:
            self._client.create_log_stream(logGroupName=self._group, logStreamName=self._stream)
        except self._client.exceptions.ResourceAlreadyExistsException:
            pass
