"""Benchmark matrix runs: every eligible variant of an effect revision dispatched the same number
of times, one item per variant with its metrics and one artifact listing its dispatches.

A matrix run completes within its request: the dispatches are the model's, so there is nothing to
wait for, and the money HUD can read the rows as soon as the run exists.
"""
import uuid

from stack.studio import model, registry
from stack.studio.api import NotFound, Refused
from stack.studio.store import now_iso
from stack.studio.validation import Field, validate

CREATE = {
    "effect_revision_id": Field("integer", required=True, exists="effect_revisions"),
    "stage": Field("string", choices=registry.STAGES, default="staging"),
    "input_file_id": Field("integer", required=True, exists="input_files"),
    "runs_per_variant": Field("integer", minimum=1, maximum=100, default=1),
    "cost_model": Field("object", maximum=16384, default={}),
}
ARTIFACT_TYPE = "benchmark_variant_dispatches"


def _slug(variant_id):
    return variant_id.replace(":", "-")


class Benchmarks:
    def __init__(self, store, log, fault):
        self.store, self.log, self.fault = store, log, fault

    def get(self, run_id):
        run = self.store.get("benchmark_matrix_runs", run_id)
        if run is None:
            raise NotFound("Benchmark matrix run not found.")
        return run

    def shown(self, run_id):
        run = self.get(run_id)
        items = self.store.all("SELECT * FROM benchmark_matrix_run_items WHERE benchmark_matrix_run_id = ? "
                               "ORDER BY id", run_id)
        for item in items:
            item["artifacts"] = self.store.all(
                "SELECT id, artifact_type, payload_json, created_at FROM run_artifacts "
                "WHERE benchmark_matrix_run_item_id = ? ORDER BY id", item["id"])
        return {**_summary(run), "items": items}

    def list(self):
        return [_summary(run) for run in self.store.all("SELECT * FROM benchmark_matrix_runs ORDER BY id DESC LIMIT 100")]

    def create(self, body):
        values = validate(body, CREATE, self.store)
        revision = self.store.get("effect_revisions", values["effect_revision_id"])
        items = registry.eligible(self.store, revision, values["stage"], self.fault)
        context = f"bm_{uuid.uuid4()}"
        with self.store.db:
            run_id = self.store.insert(
                "benchmark_matrix_runs", benchmark_context_id=context, effect_revision_id=revision["id"],
                stage=values["stage"], input_file_id=values["input_file_id"],
                runs_per_variant=values["runs_per_variant"], variant_count=len(items), status="running",
                cost_model_json=values["cost_model"], created_at=now_iso())
            if not items:
                self._fail(run_id, revision, values["stage"])
        if not items:
            raise Refused(422, "Benchmark matrix run failed.",
                          {"effect_revision_id": [f"No execution environment is active for {values['stage']}."]})
        with self.store.db:
            if self.fault("matrix_missing_item"):
                items = items[:-1]
            for item in items:
                self._dispatch_item(run_id, context, revision, item, values["runs_per_variant"])
            self.store.update("benchmark_matrix_runs", run_id, status="completed", completed_at=now_iso())
            self.log.record("benchmark_matrix_run_completed", "info", "benchmark",
                            f"Benchmark matrix run {run_id} dispatched {len(items)} variants "
                            f"{values['runs_per_variant']} times each.",
                            {"benchmark_matrix_run_id": run_id, "benchmark_context_id": context})
        return self.shown(run_id)

    def _fail(self, run_id, revision, stage):
        self.store.update("benchmark_matrix_runs", run_id, status="failed", completed_at=now_iso())
        self.log.record("benchmark_matrix_run_failed", "warn", "benchmark",
                        f"Benchmark matrix run {run_id} found no eligible variant of effect revision "
                        f"{revision['id']} at stage {stage}.",
                        {"benchmark_matrix_run_id": run_id, "effect_revision_id": revision["id"], "stage": stage},
                        instruction=f"Activate an execution environment for {stage}, or benchmark another stage.")

    def _dispatch_item(self, run_id, context, revision, item, runs):
        variant = registry.model_variant(self.store, revision, item)
        outcomes = [model.dispatch(variant, seq) for seq in range(1, runs + 1)]
        metrics = model.aggregate(outcomes)
        item_id = self.store.insert(
            "benchmark_matrix_run_items", benchmark_matrix_run_id=run_id, variant_id=item["variant_id"],
            workflow_id=item["workflow_id"], execution_environment_id=item["execution_environment_id"],
            experiment_variant_id=item["experiment_variant_id"], dispatch_count=runs, status="completed",
            metrics_json=metrics)
        if self.fault("matrix_dispatch_artifacts_missing"):
            return
        dispatches = [{
            "dispatch_id": f"studio_benchmark_{run_id}_{item_id}_{outcome.seq}",
            "seq": outcome.seq,
            "status": "failed" if outcome.failed else "succeeded",
            "latency_ms": outcome.latency_ms,
            "output_ref": None if outcome.failed else
            f"s3://studio-outputs/{context}/{_slug(item['variant_id'])}/{outcome.seq}.png",
        } for outcome in outcomes]
        self.store.insert("run_artifacts", benchmark_matrix_run_id=run_id, benchmark_matrix_run_item_id=item_id,
                          artifact_type=ARTIFACT_TYPE, created_at=now_iso(),
                          payload_json={"benchmark_context_id": context, "variant_id": item["variant_id"],
                                        "dispatches": dispatches})


def _summary(run):
    run = dict(run)
    run["cost_model"] = run.pop("cost_model_json")
    return run
