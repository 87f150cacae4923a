"""The guardian's operations API (../shared/contracts/guardian.md) as its own process:
`python -m stack.guardian.server --settings PATH`. Every read and write goes to moto through boto3,
in worker threads so that parallel requests really run in parallel.
"""
import argparse
import asyncio
import traceback

from aiohttp import web

from stack import control, faults
from stack.body import BodyProblem, read_body
from stack.guardian import validation as v
from stack.guardian.baselines import Baselines
from stack.guardian.circuit import Circuit
from stack.guardian.consent import Consent
from stack.guardian.events import Events
from stack.guardian.redaction import Redaction
from stack.guardian.resources import names_of
from stack.service import serve
from stack.settings import aws_client, load

HEALTH_PATH = "/health"
# The speed faults: how slow a cold nonce reload is and how often it happens (every tenth call puts
# two slow calls in twenty samples, so the p95 sees them, at three times its budget, more than a busy
# machine can explain, while the mean stays under its budget),
# how long a serialised record holds its lock, and how many records a "busy" guardian takes at once.
COLD_NONCE_LOAD_S = 0.3
COLD_NONCE_EVERY = 10
SERIALISED_RECORD_S = 0.1
# `record_waits_for_audit_flush`: each record waits this long for the previous one's audit flush.
AUDIT_FLUSH_S = 0.15
BUSY_AT = 8
# `records_refused_now_and_then`: every this many-th record is refused as busy, whatever the load.
REFUSE_EVERY = 20
MAX_BODY = 1024 * 1024
# Old nonce versions stay valid this long after a rotation unless the settings say otherwise.
DEFAULT_GRACE_S = 3600


def _fail(status, code, message):
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def envelope(request, handler):
    """Every refusal in the contract's error shape; an unexpected error is a 500 in the same shape."""
    try:
        return await handler(request)
    except v.Refused as refused:
        return _fail(refused.status, refused.code, refused.message)
    except BodyProblem as problem:
        return _fail(problem.status, "invalid_request" if problem.status == 400 else "too_large",
                     f"{problem.field}: {problem.message}")
    except web.HTTPException as error:
        return _fail(error.status, "not_found" if error.status == 404 else "http_error", error.reason)
    except Exception as error:  # noqa: BLE001 - the contract's envelope even for our own bugs
        traceback.print_exc()
        return _fail(500, "internal_error", f"{type(error).__name__}: {error}")


async def _body(request):
    """The request's JSON object (stack.body refuses what is not one, however hostile)."""
    return await read_body(request, limit=MAX_BODY)


def _id(request, name):
    return v.identifier(request.match_info[name], name)


class Guardian:
    def __init__(self, settings):
        self.settings = settings
        names = names_of(settings)
        dynamodb = aws_client(settings, "dynamodb")
        grace = (settings.get("guardian") or {}).get("grace_s", DEFAULT_GRACE_S)
        self.events = Events(dynamodb, names["fp_events"], self.fault)
        self.consent = Consent(dynamodb, names["consent"], self.fault)
        self.circuit = Circuit(dynamodb, names["block_counter"], self.fault)
        self.redaction = Redaction(aws_client(settings, "ssm"), names["nonce_prefix"], grace, self.fault)
        self.baselines = Baselines(aws_client(settings, "s3"), names["baselines"], self.fault)
        self._redactions = 0
        self._recording = 0
        self._records = 0
        self._record_lock = asyncio.Lock()
        # One rotation at a time in this process; between processes, SSM refuses a version that exists.
        self._rotation_lock = asyncio.Lock()

    def fault(self, name):
        return faults.active(self.settings, name)

    def app(self):
        app = web.Application(middlewares=[envelope], client_max_size=MAX_BODY)
        app.add_routes([
            web.get(HEALTH_PATH, self.health),
            web.get("/healthz", self.health),
            web.post("/fp-events", self.record),
            web.get("/rules/{ruleId}/window", self.window),
            web.post("/findings/{findingId}/false-positive", self.mark),
            web.get("/findings/{findingId}", self.finding),
            web.put("/consent/{orgId}/{scope}", self.grant),
            web.delete("/consent/{orgId}/{scope}", self.revoke),
            web.get("/consent/{orgId}/{scope}", self.check_consent),
            web.post("/circuit/{ruleId}/{orgId}/increments", self.increment),
            web.get("/circuit/{ruleId}/{orgId}", self.circuit_state),
            web.post("/redactions", self.redact),
            web.post("/redactions/validate", self.validate),
            web.post("/nonce/rotations", self.rotate),
            web.put("/baselines/{repoId}", self.store_baseline),
            web.get("/baselines/{repoId}", self.baseline),
            web.get("/baselines/{repoId}/versions", self.baseline_versions),
            *control.fault_routes(self.settings, "guardian"),
        ])
        return app

    @staticmethod
    async def _run(function, *args):
        return web.json_response(await asyncio.to_thread(function, *args))

    async def health(self, _request):
        return web.json_response({"status": "ok"})

    async def record(self, request):
        self._records += 1
        if self.fault("busy_guardian_refuses_records") and self._recording >= BUSY_AT or (
                self._records % REFUSE_EVERY == 0 and self.fault("records_refused_now_and_then")):
            raise v.Refused(503, "busy", "the guardian is busy; try again")
        self._recording += 1
        try:
            if self.fault("records_serialised"):
                async with self._record_lock:
                    await asyncio.sleep(SERIALISED_RECORD_S)
                    return await self._record(request)
            if self.fault("record_waits_for_audit_flush"):
                async with self._record_lock:
                    answer = await self._record(request)
                    await asyncio.sleep(AUDIT_FLUSH_S)
                    return answer
            return await self._record(request)
        finally:
            self._recording -= 1

    async def _record(self, request):
        try:
            body = await _body(request)
            return web.json_response(await asyncio.to_thread(self.events.record, body), status=201)
        except v.Refused as refused:
            if refused.status == 400 and self.fault("refusals_do_not_name_field"):
                raise v.vague(refused) from None
            raise

    async def window(self, request):
        rule_id, query = _id(request, "ruleId"), request.query
        if "count" not in query and "since" not in query:
            raise v.invalid("count", "a window needs count=N or since=<ISO time>")
        count = v.whole(query["count"], "count") if "count" in query else None
        since = v.instant(query["since"], "since") if "since" in query else None
        return await self._run(self.events.window, rule_id, count, since)

    async def mark(self, request):
        finding_id, body = _id(request, "findingId"), v.mapping(await _body(request), "body")
        return await self._run(self.events.mark_false_positive, finding_id, v.text(body.get("reviewedBy"),
                                                                                   "reviewedBy"))

    async def finding(self, request):
        rule_id = request.query.get("ruleId")
        if rule_id is not None:
            v.identifier(rule_id, "ruleId")
        return await self._run(self.events.finding, _id(request, "findingId"), rule_id)

    async def grant(self, request):
        org_id, scope, body = _id(request, "orgId"), _id(request, "scope"), await _body(request)
        answer = await asyncio.to_thread(self.consent.grant, org_id, scope, body)
        return web.json_response(answer, status=201)

    async def revoke(self, request):
        return await self._run(self.consent.revoke, _id(request, "orgId"), _id(request, "scope"))

    async def check_consent(self, request):
        return await self._run(self.consent.check, _id(request, "orgId"), _id(request, "scope"))

    async def increment(self, request):
        answer = await self.circuit.increment(_id(request, "ruleId"), _id(request, "orgId"))
        return web.json_response(answer)

    async def circuit_state(self, request):
        threshold = v.whole(request.query.get("threshold"), "threshold", maximum=10**6)
        return await self._run(self.circuit.state, _id(request, "ruleId"), _id(request, "orgId"), threshold)

    async def redact(self, request):
        self._redactions += 1
        if self.fault("nonce_reloaded_slowly") and self._redactions % COLD_NONCE_EVERY == 0:
            await asyncio.sleep(COLD_NONCE_LOAD_S)
        return await self._run(self.redaction.redact, await _body(request))

    async def validate(self, request):
        return await self._run(self.redaction.validate, await _body(request))

    async def rotate(self, _request):
        async with self._rotation_lock:
            return await self._run(self.redaction.rotate)

    async def store_baseline(self, request):
        repo_id, document = _id(request, "repoId"), await _body(request)
        return await self._run(self.baselines.store, repo_id, document)

    async def baseline(self, request):
        return await self._run(self.baselines.latest, _id(request, "repoId"))

    async def baseline_versions(self, request):
        repo_id = _id(request, "repoId")
        return web.json_response({"repoId": repo_id, "versions": await asyncio.to_thread(self.baselines.versions,
                                                                                         repo_id)})


def main():
    parser = argparse.ArgumentParser(description="the guardian's operations API over moto")
    parser.add_argument("--settings", required=True, help="the stack run's settings JSON")
    settings = load(parser.parse_args().settings)
    serve(Guardian(settings).app(), settings["ports"]["guardian"])


if __name__ == "__main__":
    main()
