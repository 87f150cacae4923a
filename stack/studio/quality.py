"""Quality evaluations of outputs, by the Gemini provider when the studio has its key, otherwise
with the documented neutral fallback (0.5) and a warning that tells the operator what to fix.

The embedded studio reads the key from STUDIO_GEMINI_API_KEY and, having no internet, scores as
the provider would: around the variant's quality, deterministically per output.
"""
import os

from stack.studio import model
from stack.studio.api import NotFound, Refused
from stack.studio.store import now_iso
from stack.studio.validation import Field, validate

FALLBACK_SCORE = 0.5
DIMENSIONS = ("fidelity", "aesthetics", "prompt_adherence")
CREATE = {
    "input_ref": Field("string", required=True, maximum=2048),
    "output_ref": Field("string", required=True, maximum=2048),
    "provider": Field("string", choices=("gemini",), default="gemini"),
    "rubric_version": Field("string", maximum=64, default="iteration1-v1"),
    "benchmark_matrix_run_id": Field("integer", exists="benchmark_matrix_runs"),
    "benchmark_matrix_run_item_id": Field("integer", exists="benchmark_matrix_run_items"),
    "benchmark_context_id": Field("string", maximum=64),
    "load_test_run_id": Field("integer", exists="load_test_runs"),
}
FILTERS = {
    "benchmark_matrix_run_id": Field("integer"),
    "benchmark_context_id": Field("string", maximum=64),
}


class Quality:
    def __init__(self, store, log, fault):
        self.store, self.log, self.fault = store, log, fault

    def get(self, evaluation_id):
        evaluation = self.store.get("quality_evaluations", evaluation_id)
        if evaluation is None:
            raise NotFound("Quality evaluation not found.")
        return evaluation

    def list(self, query):
        values = validate(query, FILTERS)
        clauses, args = [], []
        for name in FILTERS:
            if values[name] is not None:
                clauses.append(f"{name} = ?")
                args.append(values[name])
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self.store.all(f"SELECT * FROM quality_evaluations {where} ORDER BY id DESC LIMIT 500", *args)

    def _links(self, values):
        """(run, item) the evaluation belongs to, refusing links that contradict each other."""
        item = self.store.get("benchmark_matrix_run_items", values["benchmark_matrix_run_item_id"] or 0)
        run_id = values["benchmark_matrix_run_id"] or (item["benchmark_matrix_run_id"] if item else None)
        run = self.store.get("benchmark_matrix_runs", run_id or 0)
        errors = {}
        if item and item["benchmark_matrix_run_id"] != run_id:
            errors["benchmark_matrix_run_item_id"] = ["The benchmark matrix run item belongs to another run."]
        context = values["benchmark_context_id"]
        if context and (run is None and not self.store.one(
                "SELECT id FROM benchmark_matrix_runs WHERE benchmark_context_id = ?", context)):
            errors["benchmark_context_id"] = ["The selected benchmark context id is invalid."]
        elif context and run and run["benchmark_context_id"] != context:
            errors["benchmark_context_id"] = ["The benchmark context id does not match the benchmark matrix run."]
        if errors:
            raise Refused(422, "Validation error.", errors)
        return run, item

    def create(self, body):
        values = validate(body, CREATE, self.store)
        run, item = self._links(values)
        key = os.environ.get("STUDIO_GEMINI_API_KEY")
        if key:
            score, vector, result = self._provider_score(item, values["output_ref"])
        else:
            score = 0.0 if self.fault("quality_fallback_wrong_score") else FALLBACK_SCORE
            vector = {dimension: score for dimension in DIMENSIONS}
            result = {"provider": "fallback", "fallback_reason": "gemini_api_key_missing"}
        with self.store.db:
            evaluation_id = self.store.insert(
                "quality_evaluations",
                benchmark_matrix_run_id=None if self.fault("quality_evaluation_not_linked") else (run and run["id"]),
                benchmark_matrix_run_item_id=item and item["id"],
                benchmark_context_id=values["benchmark_context_id"] or (run and run["benchmark_context_id"]),
                load_test_run_id=values["load_test_run_id"], input_ref=values["input_ref"],
                output_ref=values["output_ref"], provider=values["provider"], rubric_version=values["rubric_version"],
                status="completed", composite_score=score, vector_json=vector, result_json=result,
                created_at=now_iso())
            if not key and not self.fault("quality_fallback_not_logged"):
                self.log.record(
                    "quality_eval_fallback_used", "warn", "quality",
                    f"Quality evaluation {evaluation_id} used the neutral fallback score {FALLBACK_SCORE}: "
                    "the Gemini API key is missing.",
                    {"quality_evaluation_id": evaluation_id, "benchmark_matrix_run_id": run and run["id"],
                     "fallback_reason": "gemini_api_key_missing"},
                    instruction="Set the Gemini API key of the studio and evaluate again; fallback scores are "
                                "neutral and do not rank variants.")
        return self.get(evaluation_id)

    def _provider_score(self, item, output_ref):
        variant_quality = 0.7
        if item:
            workflow = self.store.get("workflows", item["workflow_id"])
            variant_quality = workflow["quality"]
            if item["experiment_variant_id"]:
                variant_quality += self.store.get("experiment_variants", item["experiment_variant_id"])["quality_delta"]
        score = model.quality_score(variant_quality, output_ref)
        vector = {dimension: model.quality_score(score, f"{output_ref}|{dimension}") for dimension in DIMENSIONS}
        return score, vector, {"provider": "gemini", "model": "gemini-embedded"}
