"""Load-test runs: created queued, started on the ECS runner (or inline when it cannot be launched),
fed dispatches by their runner, aggregated into the run's metrics, cancelled by an operator.

Inline execution paces dispatches at the scenario's stage rates in real time, so a watcher sees
the metrics grow while the run is active, as it would on staging.
"""
import asyncio
import bisect
import hmac
import json
import time
import uuid

import aiohttp

from stack.studio import model, registry
from stack.studio.api import NotFound, Refused
from stack.studio.store import now_iso, seconds_since
from stack.studio.validation import Field, validate

TERMINAL = ("completed", "failed", "cancelled")
TICK_S = 0.05
# A RunTask answer takes milliseconds; two seconds means the runner's ECS is not there.
ECS_LAUNCH_TIMEOUT_S = 2.0
ECS_TARGET = "AmazonEC2ContainerServiceV20141113.RunTask"
METRIC_FIELDS = ("achieved_rpm", "achieved_rps", "success_count", "failure_count", "p95_latency_ms",
                 "queue_wait_p95_seconds", "processing_p95_seconds", "compute_cost_usd", "effective_cost_usd",
                 "partner_cost_usd", "margin_usd")
CREATE = {
    "load_test_scenario_id": Field("integer", required=True, exists="load_test_scenarios"),
    "execution_environment_id": Field("integer", required=True, exists="execution_environments"),
    "effect_revision_id": Field("integer", exists="effect_revisions"),
    "status": Field("string", choices=("queued", "completed", "failed"), default="queued"),
    "metrics_json": Field("object", maximum=16384, default={}),
    "input_file_id": Field("integer", exists="input_files"),
    "input_payload": Field("object", maximum=16384),
    "benchmark_context_id": Field("string", maximum=64),
    **{name: Field("number", minimum=0) for name in METRIC_FIELDS},
}
START = {
    "mode": Field("string", choices=("ecs", "inline"), default="ecs"),
    "allow_inline_fallback": Field("boolean", default=True),
    "input_file_id": Field("integer", exists="input_files"),
}
SUBMIT = {
    "load_test_run_id": Field("integer", required=True, exists="load_test_runs"),
    "effect_revision_id": Field("integer", required=True, exists="effect_revisions"),
    "execution_environment_id": Field("integer", required=True, exists="execution_environments"),
    "input_file_id": Field("integer", required=True, exists="input_files"),
    "count": Field("integer", required=True, minimum=1, maximum=2000),
    "benchmark_context_id": Field("string", maximum=64),
}


def planned_dispatches(stages):
    return sum(round(stage["rps"] * stage["seconds"]) for stage in stages)


def due_offsets(stages):
    """Seconds after the start at which each planned dispatch is due."""
    offsets, start = [], 0.0
    for stage in stages:
        count = round(stage["rps"] * stage["seconds"])
        offsets += [start + index / stage["rps"] for index in range(count)]
        start += stage["seconds"]
    return offsets


def shown(run):
    run = dict(run)
    run["input_payload"] = run.pop("input_payload_json")
    return run


class LoadTests:
    def __init__(self, store, log, settings, fault, background):
        self.store, self.log, self.settings, self.fault = store, log, settings, fault
        self.background = background
        self.http = None

    def get(self, run_id):
        run = self.store.get("load_test_runs", run_id)
        if run is None:
            raise NotFound("Load test run not found.")
        return run

    def list(self):
        return [shown(run) for run in self.store.all("SELECT * FROM load_test_runs ORDER BY id DESC LIMIT 100")]

    def create(self, body):
        values = validate(body, CREATE, self.store)
        scenario = self.store.get("load_test_scenarios", values["load_test_scenario_id"])
        stages = scenario["stages_json"]
        metrics_json = {**values["metrics_json"], "planned_dispatches": planned_dispatches(stages), "stages": stages}
        terminal = values["status"] in TERMINAL
        with self.store.db:
            run_id = self.store.insert(
                "load_test_runs", load_test_scenario_id=scenario["id"],
                execution_environment_id=values["execution_environment_id"],
                effect_revision_id=values["effect_revision_id"], input_file_id=values["input_file_id"],
                benchmark_context_id=values["benchmark_context_id"], status=values["status"],
                input_payload_json=values["input_payload"], metrics_json=metrics_json,
                **{name: values[name] for name in METRIC_FIELDS if values[name] is not None},
                created_at=now_iso(), completed_at=now_iso() if terminal else None,
            )
        return shown(self.get(run_id))

    # --- starting ------------------------------------------------------------------------------

    async def start(self, run_id, body):
        run = self.get(run_id)
        values = validate(body, START, self.store)
        if run["status"] != "queued":
            raise Refused(422, "Load test run is not queued.", {"status": [f"The load test run is {run['status']}."]})
        input_file_id = values["input_file_id"] or run["input_file_id"]
        if input_file_id is None:
            raise Refused(422, "Input file is required.", {"input_file_id": ["The input file id field is required."]})
        mode, task_arn, problem = values["mode"], None, None
        if mode == "ecs":
            task_arn, problem = await self._launch_on_ecs(run)
            if task_arn is None:
                context = {"load_test_run_id": run_id, "reason": problem}
                if not values["allow_inline_fallback"]:
                    with self.store.db:
                        self.log.record("load_test_runner_ecs_failed", "warn", "load_testing",
                                        f"Load test run {run_id} could not be launched on ECS: {problem}", context,
                                        instruction="Check the STUDIO_LOAD_TEST_RUNNER_* settings and the runner's "
                                                    "ECS cluster, or start the run inline.")
                    raise Refused(422, "Load test runner could not be launched.", {"mode": [problem]})
                mode = "inline_fallback"
        with self.store.db:
            started = self.store.db.execute(
                "UPDATE load_test_runs SET status = 'running', execution_mode = ?, started_at = ?, input_file_id = ? "
                "WHERE id = ? AND status = 'queued'", (mode, now_iso(), input_file_id, run_id)).rowcount
            if not started:
                raise Refused(422, "Load test run is not queued.", {"status": ["The load test run was started meanwhile."]})
            self._record_start(run_id, mode, task_arn, problem)
        if mode != "ecs":
            self.background.start(self._run_inline(run_id))
        execution = {"mode": mode, **({"task_arn": task_arn} if task_arn else {})}
        return {"run": shown(self.get(run_id)), "execution": execution}

    def _record_start(self, run_id, mode, task_arn, problem):
        if mode == "ecs":
            run = self.get(run_id)
            self.store.update("load_test_runs", run_id, metrics_json={**run["metrics_json"], "ecs_task_arn": task_arn})
            self.log.record("load_test_runner_ecs_launched", "info", "load_testing",
                            f"Load test run {run_id} launched on ECS as {task_arn}.",
                            {"load_test_run_id": run_id, "task_arn": task_arn})
        elif mode == "inline_fallback":
            self.log.record("load_test_runner_ecs_fallback", "warn", "load_testing",
                            f"Load test run {run_id} runs inline because the ECS runner could not be launched: "
                            f"{problem}", {"load_test_run_id": run_id, "reason": problem},
                            instruction=None if self.fault("fallback_warning_without_instruction") else (
                                "Inline runs share the API's capacity: configure STUDIO_LOAD_TEST_RUNNER_* "
                                "and the runner's ECS cluster before running load tests at scale."))

    async def _launch_on_ecs(self, run):
        """(task ARN, None) when the ECS runner accepted the run, else (None, why not)."""
        endpoint = self.settings.get("endpoints", {}).get("ecs")
        runner = self.store.seed["runner"]
        if not endpoint:
            return None, "no ECS endpoint is configured"
        request = {
            "cluster": runner["cluster"], "taskDefinition": runner["task_definition"], "count": 1,
            "startedBy": f"studio-load-test-{run['id']}", "launchType": "FARGATE",
            "overrides": {"containerOverrides": [{"name": "runner", "environment": [
                {"name": "STUDIO_LOAD_TEST_RUN_ID", "value": str(run["id"])}]}]},
        }
        try:
            async with self.http.post(
                endpoint + "/", data=json.dumps(request), timeout=aiohttp.ClientTimeout(total=ECS_LAUNCH_TIMEOUT_S),
                headers={"X-Amz-Target": ECS_TARGET, "Content-Type": "application/x-amz-json-1.1"},
            ) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if response.status != 200:
            return None, f"{answer.get('__type', response.status)}: {answer.get('message', '')}"
        if answer.get("failures") or not answer.get("tasks"):
            return None, f"RunTask failures: {answer.get('failures')}"
        return answer["tasks"][0]["taskArn"], None

    # --- dispatching and aggregating -------------------------------------------------------------

    def _variant(self, run):
        environment = self.store.get("execution_environments", run["execution_environment_id"])
        revision = self.store.get("effect_revisions", run["effect_revision_id"] or 0)
        if revision:
            for item in registry.eligible(self.store, revision, environment["stage"], self.fault):
                if item["execution_environment_id"] == environment["id"] and not item["experiment_variant_id"]:
                    return registry.model_variant(self.store, revision, item)
        return model.Variant(
            variant_id=f"env:{environment['id']}:probe", price_usd=0.0, processing_seconds=1.0, partner_cost_usd=0.0,
            quality=0.5, speed=environment["speed"], cost_per_second_usd=environment["cost_per_second_usd"],
            failure_rate_percent=environment["failure_rate_percent"],
            queue_wait_seconds=environment["queue_wait_seconds"],
        )

    def record(self, run_id, count):
        """Runs `count` more dispatches through the model; call inside a transaction. Returns their ids."""
        run = self.get(run_id)
        variant = self._variant(run)
        last = self.store.one("SELECT COALESCE(MAX(seq), 0) AS seq FROM load_test_dispatches "
                              "WHERE load_test_run_id = ?", run_id)["seq"]
        ids = []
        for seq in range(last + 1, last + count + 1):
            outcome = model.dispatch(variant, seq)
            ids.append(f"studio_load_test_{run_id}_{seq}_{uuid.uuid4()}")
            self.store.insert(
                "load_test_dispatches", load_test_run_id=run_id, seq=seq, dispatch_id=ids[-1], failed=outcome.failed,
                latency_ms=outcome.latency_ms, queue_wait_seconds=outcome.queue_wait_seconds,
                processing_seconds=outcome.processing_seconds, compute_cost_usd=outcome.compute_cost_usd,
                partner_cost_usd=outcome.partner_cost_usd, revenue_usd=outcome.revenue_usd, created_at=now_iso(),
            )
        self._aggregate(run, final=False)
        return ids

    def _aggregate(self, run, final):
        if self.fault("load_test_metrics_not_aggregated"):
            return
        rows = self.store.all("SELECT * FROM load_test_dispatches WHERE load_test_run_id = ?", run["id"])
        outcomes = [model.Outcome(r["seq"], r["failed"], r["queue_wait_seconds"], r["processing_seconds"],
                                  r["latency_ms"], r["compute_cost_usd"], r["partner_cost_usd"], r["revenue_usd"])
                    for r in rows]
        metrics = model.aggregate(outcomes)
        if not final and self.fault("stop_condition_ignored"):
            metrics.update(success_count=metrics["dispatch_count"], failure_count=0, failure_rate_percent=0.0)
        elapsed = max(seconds_since(run["started_at"]), 1e-3)
        self.store.update(
            "load_test_runs", run["id"],
            success_count=metrics["success_count"], failure_count=metrics["failure_count"],
            p95_latency_ms=metrics["p95_latency_ms"], queue_wait_p95_seconds=metrics["queue_wait_p95_seconds"],
            processing_p95_seconds=metrics["processing_p95_seconds"], compute_cost_usd=metrics["compute_cost_usd"],
            partner_cost_usd=metrics["partner_cost_usd"], effective_cost_usd=metrics["effective_cost_usd"],
            margin_usd=metrics["margin_usd"], achieved_rps=round(len(outcomes) / elapsed, 2),
            achieved_rpm=round(60 * len(outcomes) / elapsed, 1),
            metrics_json={**run["metrics_json"], "dispatched": metrics["dispatch_count"],
                          "failure_rate_percent": metrics["failure_rate_percent"],
                          "estimated_revenue_usd": metrics["estimated_revenue_usd"]},
        )

    async def _run_inline(self, run_id):
        """Dispatches at the scenario's rates until the plan is done or the run stops being active."""
        run = self.get(run_id)
        offsets = due_offsets(run["metrics_json"]["stages"])
        began, done = time.monotonic(), 0
        while True:
            if self.get(run_id)["status"] != "running":
                return
            stalled = self.fault("load_test_never_finishes") and done >= len(offsets) // 2
            due = done if stalled else bisect.bisect_right(offsets, time.monotonic() - began)
            if due > done:
                with self.store.db:
                    self.record(run_id, due - done)
                done = due
            if done >= len(offsets) and not stalled:
                self._finish(run_id)
                return
            await asyncio.sleep(TICK_S)

    def _finish(self, run_id):
        with self.store.db:
            run = self.get(run_id)
            if run["status"] != "running":
                return
            self._aggregate(run, final=True)
            self.store.update("load_test_runs", run_id, status="completed", completed_at=now_iso())
            run = self.get(run_id)
            self.log.record("load_test_run_completed", "info", "load_testing",
                            f"Load test run {run_id} completed: {run['success_count']} succeeded, "
                            f"{run['failure_count']} failed.", {"load_test_run_id": run_id})

    # --- cancelling --------------------------------------------------------------------------------

    def cancel(self, run_id):
        run = self.get(run_id)
        if run["status"] in TERMINAL and not self.fault("cancel_of_finished_run_accepted"):
            if self.fault("refused_cancel_changes_status"):
                with self.store.db:
                    self.store.update("load_test_runs", run_id, status="cancelled")
            raise Refused(422, "Load test run cannot be cancelled.",
                          {"status": [f"The load test run is already {run['status']}."]})
        if run["status"] == "running" and self.fault("cancel_does_not_stop_run"):
            return shown({**run, "status": "cancelled"})
        with self.store.db:
            self.store.update("load_test_runs", run_id, status="cancelled", completed_at=now_iso())
            self.log.record(
                "load_test_run_cancelled", "warn", "load_testing",
                f"Load test run {run_id} was cancelled after {run['success_count'] + run['failure_count']} dispatches.",
                {"load_test_run_id": run_id, "previous_status": run["status"]},
                instruction="Review the run's partial metrics and the routing of its effect revision before "
                            "starting another run.",
            )
        return shown(self.get(run_id))

    # --- the executor endpoint -------------------------------------------------------------------

    def submit(self, secret_given, body):
        secret = self.store.seed.get("executor_secret")
        if not secret:
            raise Refused(503, "Studio executor is not configured.")
        if not hmac.compare_digest((secret_given or "").encode(), secret.encode()):
            if self.fault("refused_submission_recorded"):
                self._record_unchecked(body)
            if not self.fault("executor_secret_not_checked"):
                raise Refused(401, "Invalid executor secret.")
        values = validate(body, SUBMIT, self.store)
        run = self.get(values["load_test_run_id"])
        errors = {}
        for field in ("effect_revision_id", "execution_environment_id", "input_file_id"):
            if run[field] is not None and run[field] != values[field]:
                errors[field] = [f"The {field.replace('_', ' ')} does not match the load test run."]
        if run["status"] != "running":
            errors["load_test_run_id"] = [f"The load test run is {run['status']}, not running."]
        if errors:
            raise Refused(422, "Dispatch request does not match the load test run.", errors)
        with self.store.db:
            ids = self.record(run["id"], values["count"])
        return {"load_test_run_id": run["id"], "dispatch_ids": ids, "run": shown(self.get(run["id"]))}

    def _record_unchecked(self, body):
        """The defect behind `refused_submission_recorded`: dispatches land before the secret is checked."""
        run_id = body.get("load_test_run_id") if isinstance(body, dict) else None
        count = body.get("count") if isinstance(body, dict) else None
        if isinstance(run_id, int) and isinstance(count, int) and 0 < count <= 2000 and self.store.get(
                "load_test_runs", run_id):
            with self.store.db:
                self.record(run_id, count)
