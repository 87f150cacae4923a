"""The studio admin API as an operator uses it, with the runbook's safety gates.

`StudioClient` speaks the contract (../shared/contracts/studio.md): base URL, tenant Host and
bearer tokens from the profile, every exchange attached to the report with secrets redacted.
`Operator` is one scenario's work on top of it: names carry the run's namespace, every load test
and promotion is registered for cleanup the moment it exists, and the two gates of seed 003 hold:
- cost: a run estimated over the profile's cost_limit_usd is refused here, before any request
  that creates or starts anything, unless an approval reference is given;
- stop: a load test whose failure rate stays above the limit for the window is cancelled and its
  promotion rolled back (`RollbackPlan`, which also runs as a cleanup when a step fails).
"""
import time
from dataclasses import dataclass, field

from support import reporting
from support.http import Http
from support.waits import eventually

ADMIN = "/api/admin/studio"
EXECUTOR = "/api/ops/studio/load-test/submit-dispatches"
TERMINAL = ("completed", "failed", "cancelled")
WARNINGS = ("warn", "critical")
FALLBACK_SCORE = 0.5
FALLBACK_REASON = "gemini_api_key_missing"
# The contract's refusals, by the words a scenario uses for them.
REFUSALS = {
    "the caller is not signed in": (401, "Unauthenticated."),
    "administrator access is required": (403, "Admin access required."),
    "a tenant is required": (400, "Tenant context is required."),
    "the variant is not eligible": (422, "Variant is not eligible for this effect revision."),
    "there is nothing to roll back": (422, "Routing rollback failed."),
    "the load test has already finished": (422, "Load test run cannot be cancelled."),
    "the executor secret is wrong": (401, "Invalid executor secret."),
}
# Who calls, in a scenario's words: (token role, Host to send instead of the tenant's).
CALLERS = {
    "someone without a token": (None, None),
    "a signed-in user who is not an administrator": ("non_admin", None),
    "an administrator without a tenant": ("tenantless", None),
    "an administrator calling the studio's central address": ("admin", "localhost"),
}
# What makes two bindings "the same routing".
ROUTING_FIELDS = ("variant_id", "workflow_id", "execution_environment_id", "experiment_variant_id", "stage")
# Action-log context keys that name something a scenario created.
OWNED_KEYS = {"load_test_run_id": "load_tests", "benchmark_matrix_run_id": "benchmarks",
              "quality_evaluation_id": "evaluations", "binding_id": "bindings", "rolled_back_binding_id": "bindings"}


class StudioError(AssertionError):
    """The studio answered something the operator did not expect; the answer is the evidence."""


class CostNotApproved(AssertionError):
    """A run estimated over the cost limit, refused before anything was created or started."""

    def __init__(self, estimate, limit_usd, source):
        self.estimate, self.limit_usd = estimate, limit_usd
        why = (f"has no published cost ceiling for {', '.join(estimate.unknown)}" if estimate.unknown else
               f"is over the cost limit of ${limit_usd:.2f} (cost_limit_usd in {source})")
        super().__init__(f"{estimate.what} is estimated at ${estimate.usd:.2f} and {why}; it needs an approval "
                         f"reference: -D cost_approval=<ref> or STUDIO_COST_APPROVAL")


@dataclass
class CostEstimate:
    what: str
    dispatches: int
    usd: float
    unknown: list = field(default_factory=list)  # variants without a published cost ceiling


@dataclass
class Attempt:
    """What asking for a costly run led to: the run, or the gate's refusal (Terratest's E style)."""

    result: dict = None
    refusal: CostNotApproved = None
    before: dict = None  # what existed just before the attempt (see StudioClient.mark)


@dataclass
class StopVerdict:
    tripped: bool
    seconds: float
    failure_rate_percent: float
    run: dict
    plan_outcome: dict = None


def routing_differences(expected, actual):
    """Fields in which `actual` routes differently from `expected` (empty when they route the same)."""
    if expected is None or actual is None:
        return {} if expected is actual else {"binding": (expected, actual)}
    return {key: (expected[key], actual[key]) for key in ROUTING_FIELDS if expected[key] != actual[key]}


def failure_rate(run):
    total = run["success_count"] + run["failure_count"]
    return round(100 * run["failure_count"] / total, 2) if total else 0.0


def instruction_of(entry):
    return ((entry.get("operator_action_json") or {}).get("instruction") or "").strip()


# The HUD rounds each dollar figure to 4 places, so a margin recomputed from three rounded parts may
# differ from the rounded margin by up to three half-units of the last place.
ROUNDING_USD = 0.00015


def by_margin(rows):
    """The money HUD's rows, highest margin first."""
    return sorted(rows, key=lambda row: row["margin_usd"], reverse=True)


def hud_discrepancies(rows, items):
    """What in the money HUD's rows disagrees with its own figures or the benchmark's dispatch records."""
    records = {item["variant_id"]: len(dispatch_records(item)) for item in items}
    found = [] if sorted(records) == sorted(row["variant_id"] for row in rows) else [
        f"rows for {sorted(row['variant_id'] for row in rows)}, benchmark items for {sorted(records)}"]
    for row in rows:
        counted = (row["success_count"] + row["failure_count"], records.get(row["variant_id"]))
        if row["dispatch_count"] <= 0 or any(count != row["dispatch_count"] for count in counted):
            found.append(f"{row['variant_id']}: {row['dispatch_count']} dispatches, but succeeded + failed and "
                         f"dispatch records count {counted}")
        margin = row["estimated_revenue_usd"] - row["compute_cost_usd"] - row["partner_cost_usd"]
        if abs(margin - row["margin_usd"]) > ROUNDING_USD:
            found.append(f"{row['variant_id']}: margin {row['margin_usd']}, but revenue - compute - partner "
                         f"cost is {margin:.4f}")
    return found


def recommended(hud, kind):
    """{target variant id: recommendation} of one kind (routing, reliability, capacity)."""
    return {rec.get("target_variant_id"): rec for rec in hud["recommendations"] if rec.get("type") == kind}


def expected_variant_id(item, effect_revision_id):
    """The contract's variant id, built from the item's own parts."""
    return (f"er:{effect_revision_id}:wf:{item['workflow_id']}:env:{item['execution_environment_id']}"
            f":stage:{item['stage']}:exp:{item['experiment_variant_id'] or 0}")


def dispatch_records(item):
    return [d for artifact in item.get("artifacts", []) if artifact.get("artifact_type") == "benchmark_variant_dispatches"
            for d in artifact["payload_json"].get("dispatches", [])]


class StudioClient:
    """The contract's endpoints; `*_e` methods return the raw Answer for scenarios about refusals."""

    def __init__(self, profile, approval=None):
        settings = profile.area("studio")
        self.section = settings
        self.source = profile.source
        self.tokens = {role: token for role, token in settings["tokens"].items() if token}
        self.host = settings["host"]
        self.dataset = {key: int(value) if str(value).isdigit() else value
                        for key, value in settings["dataset"].items() if value is not None}
        self.stop_condition = settings["stop_condition"]
        self.reliability_limit_percent = settings["reliability_limit_percent"]
        self.quality_provider_key = settings["quality_provider_key"]
        self.cost_limit_usd = profile["cost_limit_usd"]
        self.approval = approval or settings.get("cost_approval")
        self.interval = profile.interval
        secrets = [*self.tokens.values(), settings.get("executor_secret")]
        self.http = Http(settings["base_url"], secrets=secrets, headers={"Host": self.host})
        self.sent = []  # (method, path) of every request, the evidence that a gate refused before calling

    def close(self):
        self.http.close()

    # --- one exchange ------------------------------------------------------------------------------

    def call(self, method, path, role="admin", host=None, attach=True, headers=None, **kwargs):
        headers = dict(headers or {})
        if role:
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        if host:
            headers["Host"] = host
        answer = self.http.request(method, path, attach=attach, headers=headers, **kwargs)
        self.sent.append((method, path))
        return answer

    def admin(self, method, path, **kwargs):
        return self.call(method, ADMIN + path, **kwargs)

    def ok(self, method, path, **kwargs):
        """The answer's data; any answer but success is a StudioError carrying it."""
        answer = self.admin(method, path, **kwargs)
        if answer.status not in (200, 201) or not answer.get("success") is True:
            raise StudioError(f"{method} {path}: the studio answered {answer}")
        return answer.get("data")

    def has_token(self, role):
        return role in self.tokens

    # --- variants and routing ----------------------------------------------------------------------

    def variants(self, effect_revision_id, stage=None):
        stage = stage or self.dataset["stage"]
        return self.ok("GET", f"/variant-registry/effect-revisions/{effect_revision_id}", params={"stage": stage})["items"]

    def variant_on(self, effect_revision_id, environment_id):
        """The registry's plain variant (no experiment) of the effect on one environment."""
        for item in self.variants(effect_revision_id):
            if item["execution_environment_id"] == environment_id and not item["experiment_variant_id"]:
                return item
        raise StudioError(f"effect revision {effect_revision_id} has no eligible variant on environment "
                          f"{environment_id} (dataset in {self.source})")

    def routing(self, effect_revision_id, attach=True):
        return self.ok("GET", f"/routing/effect-revisions/{effect_revision_id}", attach=attach)["active_binding"]

    def apply_e(self, effect_revision_id, variant_id, reason, role="admin", host=None):
        body = {"effect_revision_id": effect_revision_id, "variant_id": variant_id,
                "stage": self.dataset["stage"], "reason": reason}
        return self.admin("POST", "/routing/apply", json=body, role=role, host=host)

    def rollback_e(self, effect_revision_id, reason):
        return self.admin("POST", "/routing/rollback", json={"effect_revision_id": effect_revision_id, "reason": reason})

    # --- load tests ----------------------------------------------------------------------------------

    def load_test(self, run_id, attach=True):
        return self.ok("GET", f"/load-test-runs/{run_id}", attach=attach)

    def cancel_load_test_e(self, run_id):
        return self.admin("POST", f"/load-test-runs/{run_id}/cancel")

    def cancel_if_active(self, run_id):
        """Cleanup: cancels a load test that is still queued or running; a finished one is left alone."""
        if self.load_test(run_id, attach=False)["status"] not in TERMINAL:
            answer = self.cancel_load_test_e(run_id)
            if not answer.get("success") is True:
                raise StudioError(f"could not cancel load test {run_id}: {answer}")

    def wait_until_finished(self, run_id, within):
        return eventually(
            lambda: self.load_test(run_id, attach=False),
            until=lambda run: run["status"] in TERMINAL,
            within=within,
            describe=f"load test {run_id} to finish",
            interval=self.interval,
        )

    def submit_dispatches_e(self, run, secret, count=5):
        body = {"load_test_run_id": run["id"], "effect_revision_id": run["effect_revision_id"],
                "execution_environment_id": run["execution_environment_id"], "input_file_id": run["input_file_id"],
                "count": count}
        return self.call("POST", EXECUTOR, role=None, json=body, headers={"X-Studio-Executor-Secret": secret})

    # --- benchmarks, quality, economics, action logs -----------------------------------------------

    def benchmark_run(self, run_id):
        return self.ok("GET", f"/benchmark-matrix-runs/{run_id}")

    def evaluations_of(self, benchmark_id):
        return self.ok("GET", "/quality-evaluations", params={"benchmark_matrix_run_id": benchmark_id})

    def money_hud(self, benchmark_id):
        return self.ok("GET", "/economics/money-hud", params={"benchmark_matrix_run_id": benchmark_id})

    def action_logs(self):
        return self.ok("GET", "/action-logs")

    def mark(self):
        """What exists now, so that a later `changes_since` can prove nothing was created or started."""
        return {"sent": len(self.sent), "load_tests": self._newest("/load-test-runs"),
                "benchmarks": self._newest("/benchmark-matrix-runs")}

    def changes_since(self, before):
        """Requests that create or start something, and runs that appeared, since `mark()`."""
        return {
            "requests_that_spend": [f"{method} {path}" for method, path in self.sent[before["sent"]:]
                                    if method != "GET"],
            "new_load_tests": [run["id"] for run in self.ok("GET", "/load-test-runs") if run["id"] > before["load_tests"]],
            "new_benchmarks": [run["id"] for run in self.ok("GET", "/benchmark-matrix-runs")
                               if run["id"] > before["benchmarks"]],
        }

    def _newest(self, path):
        return max((run["id"] for run in self.ok("GET", path, attach=False)), default=0)

    # --- the cost gate ---------------------------------------------------------------------------------

    def estimate(self, what, per_variant, variants):
        """The most a run can cost: its dispatches on each variant times the variant's published ceiling."""
        ceilings = {item["variant_id"]: (item.get("constraints_json") or {}).get("max_cost_per_dispatch_usd")
                    for item in variants}
        unknown = [variant for variant, ceiling in ceilings.items() if not isinstance(ceiling, (int, float))]
        usd = sum(per_variant * ceiling for ceiling in ceilings.values() if isinstance(ceiling, (int, float)))
        return CostEstimate(what, per_variant * len(ceilings), round(usd, 2), unknown)

    def gate(self, estimate, approval):
        """Refuses (raises CostNotApproved) before any call that spends, unless within the limit or approved."""
        over = estimate.usd > self.cost_limit_usd or estimate.unknown
        if over and not approval:
            raise CostNotApproved(estimate, self.cost_limit_usd, self.source)
        if over:
            reporting.note(f"cost gate: {estimate.what} estimated at ${estimate.usd:.2f} "
                           f"(limit ${self.cost_limit_usd:.2f}) runs under approval {approval}")


class RollbackPlan:
    """The runbook's rollback for one promotion: cancel the load tests started under it, then put
    back the binding it replaced. Idempotent, so the stop condition and the scenario's cleanup can
    both run it; it only rolls back while the promotion is still the active binding."""

    def __init__(self, client, effect_revision_id, previous, promoted):
        self.client = client
        self.effect_revision_id = effect_revision_id
        self.previous, self.promoted = previous, promoted
        self.load_tests = []

    def execute(self, reason="rollback plan of a test run"):
        outcome = {"cancelled": [], "rolled_back_to": None}
        for run_id in self.load_tests:
            if self.client.load_test(run_id, attach=False)["status"] not in TERMINAL:
                answer = self.client.cancel_load_test_e(run_id)
                if not answer.get("success") is True:
                    raise StudioError(f"rollback plan: could not cancel load test {run_id}: {answer}")
                outcome["cancelled"].append(run_id)
        active = self.client.routing(self.effect_revision_id, attach=False)
        if self.previous is not None and active and active["id"] == self.promoted["id"]:
            answer = self.client.rollback_e(self.effect_revision_id, reason)
            if not answer.get("success") is True:
                raise StudioError(f"rollback plan: could not roll back effect {self.effect_revision_id}: {answer}")
            outcome["rolled_back_to"] = answer.get("data")
        return outcome


class Operator:
    """One scenario's work in the studio: namespaced, cleaned up, gated."""

    def __init__(self, client, run, add_cleanup):
        self.client = client
        self.effect_revision_id = client.dataset["effect_revision_id"]
        self.run = run
        self.add_cleanup = add_cleanup
        self.approval = client.approval
        self.owned = {kind: set() for kind in OWNED_KEYS.values()}
        self.plan = None
        self.routing_before_promotion = None
        self.promoted = None
        self.dataset = client.dataset

    # --- routing -------------------------------------------------------------------------------------

    def apply_e(self, effect_revision_id, variant_id, role="admin", host=None):
        """Asks for a promotion; whenever one happens (even a wrongly accepted one) its rollback plan is registered."""
        previous = self.client.routing(effect_revision_id, attach=False)
        answer = self.client.apply_e(effect_revision_id, variant_id, self.run.name("promotion"), role=role, host=host)
        active = self.client.routing(effect_revision_id, attach=False)
        if active and (previous is None or active["id"] != previous["id"]):
            self.plan = RollbackPlan(self.client, effect_revision_id, previous, active)
            self.add_cleanup(self.plan.execute)
            self.owned["bindings"].add(active["id"])
        if answer.get("success") is True and answer.get("data"):
            self.routing_before_promotion, self.promoted = previous, answer.get("data")
            self.owned["bindings"].add(answer.get("data")["id"])
        return answer

    def promote(self, effect_revision_id, variant_id):
        """The new binding; its rollback plan is registered as a cleanup before this returns."""
        answer = self.apply_e(effect_revision_id, variant_id)
        if not answer.get("success") is True:
            raise StudioError(f"promoting {variant_id}: the studio answered {answer}")
        return answer.get("data")

    def variant_on_retired_environment(self):
        """A well-formed variant id of the effect on an environment that is no longer active."""
        workflow_item = self.client.variants(self.effect_revision_id)[0]
        return expected_variant_id({**workflow_item, "execution_environment_id": self.environment("retired"),
                                    "experiment_variant_id": None}, self.effect_revision_id)

    def another_variant(self, active):
        """An eligible variant the effect is not routed to now."""
        current = active["variant_id"] if active else None
        return next(item["variant_id"] for item in self.client.variants(self.effect_revision_id)
                    if item["variant_id"] != current)

    def roll_back(self, effect_revision_id):
        answer = self.client.rollback_e(effect_revision_id, self.run.name("rollback"))
        if answer.get("success") is True and answer.get("data"):
            self.owned["bindings"].add(answer.get("data")["id"])
        return answer

    # --- load tests ----------------------------------------------------------------------------------

    def environment(self, which):
        """The environment a scenario means by "the baseline", "the failing" or "the promoted" variant."""
        if which == "promoted":
            if not self.promoted:
                raise AssertionError("nothing was promoted in this scenario")
            return self.promoted["execution_environment_id"]
        key = {"baseline": "baseline_environment_id", "failing": "flaky_environment_id",
               "retired": "retired_environment_id"}[which]
        return self.dataset[key]

    def _create_load_test(self, scenario, environment_id):
        body = {
            "load_test_scenario_id": self.dataset[f"{scenario}_load_test_id"],
            "execution_environment_id": environment_id,
            "effect_revision_id": self.dataset["effect_revision_id"],
            "input_file_id": self.dataset["input_file_id"],
            "input_payload": {"label": self.run.name(f"{scenario}_load_test"),
                              **({"approval_reference": self.approval} if self.approval else {})},
        }
        run = self.client.ok("POST", "/load-test-runs", json=body)
        self.add_cleanup(self.client.cancel_if_active, run["id"])
        self.owned["load_tests"].add(run["id"])
        return run

    def queue_load_test(self, scenario, environment_id):
        """A load test created but not started: nothing is dispatched, so nothing is spent."""
        return self._create_load_test(scenario, environment_id)

    def start_load_test(self, scenario, environment_id):
        """Estimates, passes the cost gate, creates and starts; the run joins the active rollback plan."""
        planned = self.dataset[f"{scenario}_load_test_dispatches"]
        variant = self.client.variant_on(self.dataset["effect_revision_id"], environment_id)
        estimate = self.client.estimate(f"the {scenario} load test", planned, [variant])
        self.client.gate(estimate, self.approval)
        run = self._create_load_test(scenario, environment_id)
        if self.plan:
            self.plan.load_tests.append(run["id"])
        started = self.client.ok("POST", f"/load-test-runs/{run['id']}/start", json={})
        reporting.note(f"load test {run['id']} started in {started['execution']['mode']} mode")
        return started["run"]

    def watch_stop_condition(self, run_id, within):
        """Watches the load test until it ends or trips the stop condition; a trip runs the rollback plan."""
        if self.plan is None:
            raise AssertionError("no promotion with a rollback plan in this scenario; the stop condition has nothing to undo")
        limit, window = self.client.stop_condition["failure_rate_percent"], self.client.stop_condition["window_s"]
        started, above_since = time.monotonic(), []

        def probe():
            run = self.client.load_test(run_id, attach=False)
            rate, now = failure_rate(run), time.monotonic()
            if rate <= limit:
                above_since.clear()
            elif not above_since:
                above_since.append(now)
            return {"status": run["status"], "failure_rate_percent": rate,
                    "above_limit_for_s": round(now - above_since[0], 2) if above_since else 0.0, "run": run}

        seen = eventually(probe, until=lambda s: s["status"] in TERMINAL or s["above_limit_for_s"] >= window,
                          within=within, describe=f"load test {run_id} to end or stay above {limit:g} % failures "
                                                  f"for {window:g} s", interval=self.client.interval)
        tripped = seen["status"] not in TERMINAL
        verdict = StopVerdict(tripped, round(time.monotonic() - started, 2), seen["failure_rate_percent"], seen["run"])
        if tripped:
            verdict.plan_outcome = self.plan.execute(f"{self.run.name('stop_condition')}: failure rate "
                                                     f"{seen['failure_rate_percent']} % above {limit:g} %")
            restored = (verdict.plan_outcome["rolled_back_to"] or {}).get("variant_id")
            reporting.note(f"stop condition tripped after {verdict.seconds} s at {verdict.failure_rate_percent} % "
                           f"failures; the rollback plan cancelled load test(s) {verdict.plan_outcome['cancelled']} "
                           f"and restored routing to {restored}")
        return verdict

    # --- benchmarks and quality ----------------------------------------------------------------------

    def benchmark(self, runs_per_variant):
        """Asks for a benchmark of every eligible variant; the cost gate may refuse it (see Attempt)."""
        effect = self.dataset["effect_revision_id"]
        variants = self.client.variants(effect)
        before = self.client.mark()
        estimate = self.client.estimate(f"a benchmark of {len(variants)} variants with {runs_per_variant} runs each",
                                        runs_per_variant, variants)
        try:
            self.client.gate(estimate, self.approval)
        except CostNotApproved as refusal:
            return Attempt(refusal=refusal, before=before)
        cost_model = {"label": self.run.name("benchmark"),
                      **({"approval_reference": self.approval} if self.approval else {})}
        run = self.client.ok("POST", "/benchmark-matrix-runs", json={
            "effect_revision_id": effect, "stage": self.dataset["stage"], "input_file_id": self.dataset["input_file_id"],
            "runs_per_variant": runs_per_variant, "cost_model": cost_model})
        self.owned["benchmarks"].add(run["id"])
        return Attempt(result=run, before=before)

    def evaluate_outputs(self, benchmark):
        """One quality evaluation per variant, of its first successful output."""
        evaluations = []
        for item in benchmark["items"]:
            outputs = [d["output_ref"] for d in dispatch_records(item) if d.get("output_ref")]
            if not outputs:
                continue
            evaluation = self.client.ok("POST", "/quality-evaluations", json={
                "input_ref": f"studio-input-file:{benchmark['input_file_id']}", "output_ref": outputs[0],
                "provider": "gemini", "benchmark_matrix_run_id": benchmark["id"],
                "benchmark_matrix_run_item_id": item["id"], "benchmark_context_id": benchmark["benchmark_context_id"]})
            self.owned["evaluations"].add(evaluation["id"])
            evaluations.append(evaluation)
        return evaluations

    # --- action logs ---------------------------------------------------------------------------------

    def logged(self):
        """The action-log entries about what this scenario created (never the whole, shared log)."""
        return [entry for entry in self.client.action_logs()
                if any((entry.get("context_json") or {}).get(key) in self.owned[kind]
                       for key, kind in OWNED_KEYS.items())]

