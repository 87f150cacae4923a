"""The studio admin API as its own process: `python -m stack.studio.server --settings PATH`.

SQLite in the stack run's directory holds the seed dataset `iteration1-golden-v1` and everything
the suite creates; the routes below are the contract's (../shared/contracts/studio.md).
"""
import argparse
import json
import os

import aiohttp
from aiohttp import web

from stack import control, faults
from stack.service import Background, serve
from stack.studio import actions, economics, registry
from stack.studio.api import ADMIN_PREFIX, MAX_BODY, NotFound, access_problem, body_of, envelope, fail, ok, who
from stack.studio.benchmarks import Benchmarks
from stack.studio.load_tests import LoadTests, shown
from stack.studio.quality import Quality
from stack.studio.routing import Routing
from stack.studio.store import Store
from stack.studio.validation import Field, path_id, validate

HEALTH_PATH = "/health"
# In-flight requests get this long after SIGTERM.
EXECUTOR_PATH = "/api/ops/studio/load-test/submit-dispatches"
LOG_FILTERS = {
    "severity": Field("string", choices=actions.SEVERITIES),
    "module": Field("string", maximum=64),
    "unresolved_only": Field("boolean", default=False),
}
SCAN = {"lookback_minutes": Field("integer", minimum=5, maximum=1440, default=60)}
STAGE = {"stage": Field("string", choices=registry.STAGES, default="staging")}


def _id(request, message):
    found = path_id(request.match_info["id"])
    if found is None:
        raise NotFound(message)
    return found


class Studio:
    def __init__(self, settings):
        self.settings = settings
        self.store = Store(os.path.join(settings["runtime_dir"], "studio.sqlite"))
        self.log = actions.ActionLog(self.store, self.fault)
        self.background = Background()
        self.load_tests = LoadTests(self.store, self.log, settings, self.fault, self.background)
        self.benchmarks = Benchmarks(self.store, self.log, self.fault)
        self.quality = Quality(self.store, self.log, self.fault)
        self.routing = Routing(self.store, self.log, self.fault)

    def fault(self, name):
        return faults.active(self.settings, name)

    def app(self):
        app = web.Application(middlewares=[envelope, self.access], client_max_size=MAX_BODY)
        app.cleanup_ctx.append(self._lifecycle)
        admin = ADMIN_PREFIX.rstrip("/")
        app.add_routes([
            web.get(HEALTH_PATH, self.health),
            web.post(EXECUTOR_PATH, self.submit_dispatches),
            web.get(f"{admin}/load-test-runs", self.list_load_tests),
            web.post(f"{admin}/load-test-runs", self.create_load_test),
            web.get(f"{admin}/load-test-runs/{{id}}", self.get_load_test),
            web.post(f"{admin}/load-test-runs/{{id}}/start", self.start_load_test),
            web.post(f"{admin}/load-test-runs/{{id}}/cancel", self.cancel_load_test),
            web.get(f"{admin}/variant-registry/effect-revisions/{{id}}", self.variants),
            web.get(f"{admin}/benchmark-matrix-runs", self.list_benchmarks),
            web.post(f"{admin}/benchmark-matrix-runs", self.create_benchmark),
            web.get(f"{admin}/benchmark-matrix-runs/{{id}}", self.get_benchmark),
            web.get(f"{admin}/quality-evaluations", self.list_evaluations),
            web.post(f"{admin}/quality-evaluations", self.create_evaluation),
            web.get(f"{admin}/quality-evaluations/{{id}}", self.get_evaluation),
            web.get(f"{admin}/economics/money-hud", self.money_hud),
            web.get(f"{admin}/routing/effect-revisions/{{id}}", self.routing_of),
            web.post(f"{admin}/routing/apply", self.apply),
            web.post(f"{admin}/routing/rollback", self.rollback),
            web.get(f"{admin}/action-logs", self.action_logs),
            web.post(f"{admin}/action-logs/scan-anomalies", self.scan_anomalies),
            web.get(f"{admin}/observability/sinks", self.sinks),
            *control.fault_routes(self.settings, "studio"),
            control.reset_route(self.reset),
        ])
        return app

    async def _lifecycle(self, _app):
        self.load_tests.http = aiohttp.ClientSession()
        yield
        self.background.cancel()
        await self.load_tests.http.close()
        self.store.close()

    @web.middleware
    async def access(self, request, handler):
        """Admin routes need an admin of the Host's tenant; see stack.studio.api for the order of checks."""
        if not request.path.startswith(ADMIN_PREFIX):
            return await handler(request)
        user, tenant_id = who(self.store, request)
        problem = access_problem(user, tenant_id, skip_admin=self.fault("non_admin_allowed"),
                                 skip_tenant=self.fault("tenant_not_required"))
        if problem and user is None and self.fault("anonymous_refused_as_non_admin"):
            problem = 403, "Admin access required."
        if problem is None:
            request["user"] = user
            return await handler(request)
        if self.fault("refused_request_still_applied") and request.method == "POST":
            request["user"] = user or {"id": None}
            await handler(request)
        return fail(*problem)

    async def reset(self, _request):
        """Stops every load test still running and puts every table back to the seed, as a fresh start
        leaves the studio."""
        stopped = self.background.cancel()
        self.store.reseed()
        return web.json_response({"load_tests_stopped": stopped})

    async def health(self, _request):
        return web.json_response({"status": "healthy", "dataset": self.store.seed["dataset"]})

    # --- load tests ------------------------------------------------------------------------------

    async def list_load_tests(self, _request):
        return ok(self.load_tests.list(), "Load test runs retrieved.")

    async def create_load_test(self, request):
        return ok(self.load_tests.create(await body_of(request)), "Load test run created.", 201)

    async def get_load_test(self, request):
        return ok(shown(self.load_tests.get(_id(request, "Load test run not found."))), "Load test run retrieved.")

    async def start_load_test(self, request):
        run_id = _id(request, "Load test run not found.")
        return ok(await self.load_tests.start(run_id, await body_of(request)), "Load test run started.")

    async def cancel_load_test(self, request):
        return ok(self.load_tests.cancel(_id(request, "Load test run not found.")), "Load test run cancelled.")

    async def submit_dispatches(self, request):
        body = await body_of(request)
        answer = self.load_tests.submit(request.headers.get("X-Studio-Executor-Secret"), body)
        return ok(answer, "Dispatches submitted.", 201)

    # --- variants, benchmarks, quality, economics ----------------------------------------------

    async def variants(self, request):
        revision = self.store.get("effect_revisions", _id(request, "Effect revision not found."))
        if revision is None:
            raise NotFound("Effect revision not found.")
        stage = validate(dict(request.query), STAGE)["stage"]
        items = registry.eligible(self.store, revision, stage, self.fault)
        return ok({"effect_revision_id": revision["id"], "stage": stage, "items": items}, "Variants retrieved.")

    async def list_benchmarks(self, _request):
        return ok(self.benchmarks.list(), "Benchmark matrix runs retrieved.")

    async def create_benchmark(self, request):
        return ok(self.benchmarks.create(await body_of(request)), "Benchmark matrix run completed.", 201)

    async def get_benchmark(self, request):
        run_id = _id(request, "Benchmark matrix run not found.")
        return ok(self.benchmarks.shown(run_id), "Benchmark matrix run retrieved.")

    async def list_evaluations(self, request):
        return ok(self.quality.list(dict(request.query)), "Quality evaluations retrieved.")

    async def create_evaluation(self, request):
        return ok(self.quality.create(await body_of(request)), "Quality evaluation completed.", 201)

    async def get_evaluation(self, request):
        evaluation = self.quality.get(_id(request, "Quality evaluation not found."))
        return ok(evaluation, "Quality evaluation retrieved.")

    async def money_hud(self, request):
        return ok(economics.money_hud(self.store, dict(request.query), self.fault), "Money HUD retrieved.")

    # --- routing ---------------------------------------------------------------------------------

    async def routing_of(self, request):
        return ok(self.routing.show(_id(request, "Effect revision not found.")), "Routing retrieved.")

    async def apply(self, request):
        binding = self.routing.apply(await body_of(request), request["user"])
        return ok(binding, "Routing binding applied.")

    async def rollback(self, request):
        binding = self.routing.rollback(await body_of(request), request["user"])
        return ok(binding, "Routing binding rolled back.")

    # --- action logs and observability -------------------------------------------------------------

    async def action_logs(self, request):
        values = validate(dict(request.query), LOG_FILTERS)
        return ok(self.log.list(**values), "Action logs retrieved.")

    async def scan_anomalies(self, request):
        values = validate(await body_of(request), SCAN)
        return ok(self.log.scan_anomalies(values["lookback_minutes"]), "Anomaly scan completed.")

    async def sinks(self, _request):
        return ok({"sinks": actions.SINKS}, "Observability sinks retrieved.")


def main():
    parser = argparse.ArgumentParser(description="the studio admin API")
    parser.add_argument("--settings", required=True, help="the stack run's settings JSON")
    # The settings file is plain JSON; stack.settings would also import boto3, which the studio never needs.
    with open(parser.parse_args().settings) as handle:
        settings = json.load(handle)
    serve(Studio(settings).app(), settings["ports"]["studio"])


if __name__ == "__main__":
    main()
