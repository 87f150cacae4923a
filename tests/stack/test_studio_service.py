"""The studio service as a process, through its HTTP contract: access, envelope, rules, and bad
input of every shape answered with a 4xx and no partial write, never a 500."""
import json
import tempfile
from pathlib import Path

import httpx
import pytest

from stack.supervisor import free_port
from support.config import load_profile
from support.preflight import TargetUnreachable
from support.studio import AREA as STUDIO
from tests.stack.processes import Processes, wait_until

HOST = "golden.studio.test"
ADMIN, VIEWER, TENANTLESS = "studio-local-admin-token", "studio-local-viewer-token", "studio-local-tenantless-token"
SECRET = "studio-local-executor-secret"
BASE = "/api/admin/studio"
# The smoke load test is 40 dispatches paced over one second.
LOAD_TEST_S = 10.0


def start_studio(scratch, ecs_endpoint=None):
    runtime = Path(tempfile.mkdtemp(prefix="studio-", dir=scratch))
    port = free_port()
    settings = {"runtime_dir": str(runtime), "ports": {"studio": port}, "faults": [],
                "endpoints": {"studio": f"http://127.0.0.1:{port}", **({"ecs": ecs_endpoint} if ecs_endpoint else {})}}
    (runtime / "settings.json").write_text(json.dumps(settings))
    processes = Processes(str(runtime))
    processes.start("studio", ["-m", "stack.studio.server", "--settings", str(runtime / "settings.json")],
                    f"http://127.0.0.1:{port}/health")
    return processes, f"http://127.0.0.1:{port}"


class Caller:
    def __init__(self, base_url, token=ADMIN, host=HOST):
        headers = {"Host": host, **({"Authorization": f"Bearer {token}"} if token else {})}
        self.http = httpx.Client(base_url=base_url + BASE, headers=headers, timeout=10)

    def get(self, path, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.http.post(path, json=body, **kwargs) if body is not None else self.http.post(path, **kwargs)

    def data(self, method, path, body=None, **kwargs):
        response = self.get(path, **kwargs) if method == "GET" else self.post(path, body, **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()["data"]


@pytest.fixture(scope="module")
def studio(scratch):
    processes, url = start_studio(scratch)
    yield url
    processes.stop_all()


@pytest.fixture
def fresh_studio(scratch):
    """A studio of its own, for tests that walk the routing history from the seed."""
    processes, url = start_studio(scratch)
    yield url
    processes.stop_all()


@pytest.fixture
def admin(studio):
    return Caller(studio)


def new_run(admin, scenario=1, environment=21, **extra):
    body = {"load_test_scenario_id": scenario, "execution_environment_id": environment, "effect_revision_id": 101,
            "input_file_id": 501, **extra}
    return admin.data("POST", "/load-test-runs", body)


def counts(admin):
    """How many of each thing the studio holds, to prove a refusal wrote nothing."""
    return {
        "load_tests": len(admin.data("GET", "/load-test-runs")),
        "benchmarks": len(admin.data("GET", "/benchmark-matrix-runs")),
        "evaluations": len(admin.data("GET", "/quality-evaluations")),
        "logs": len(admin.data("GET", "/action-logs")),
        "routing": admin.data("GET", "/routing/effect-revisions/101")["active_binding"],
    }


# -- access and envelope ----------------------------------------------------------------------------


@pytest.mark.parametrize("token, host, status, message", [
    (None, HOST, 401, "Unauthenticated."),
    ("not-a-token", HOST, 401, "Unauthenticated."),
    (VIEWER, HOST, 403, "Admin access required."),
    (TENANTLESS, HOST, 400, "Tenant context is required."),
    (ADMIN, "127.0.0.1", 400, "Tenant context is required."),
    (ADMIN, "localhost:8080", 400, "Tenant context is required."),
    (ADMIN, "other.tenant.test", 400, "Tenant context is required."),
])
def test_only_an_admin_of_the_hosts_tenant_is_served(studio, token, host, status, message):
    response = Caller(studio, token, host).get("/observability/sinks")
    assert response.status_code == status
    assert response.json() == {"success": False, "message": message}


def test_success_has_the_contracts_envelope(admin):
    body = admin.get("/observability/sinks").json()
    assert body["success"] is True and body["message"]
    sinks = {sink["key"]: sink["sensitive_economics"] for sink in body["data"]["sinks"]}
    assert sinks == {"tig": False, "cloudwatch": False, "admin": True}


def preflight(base_url, token=ADMIN):
    profile = load_profile("local")
    profile.data["studio"] = {**profile["studio"], "base_url": base_url,
                              "tokens": {**profile["studio"]["tokens"], "admin": token}}
    STUDIO.preflight(STUDIO.clients(profile, None, {}))


def test_the_preflight_accepts_a_reachable_studio_and_names_what_is_wrong_otherwise(studio):
    preflight(studio)
    with pytest.raises(TargetUnreachable, match=r"Host golden.studio.test at .* is not healthy .* answered 401"):
        preflight(studio, token="stale")
    with pytest.raises(TargetUnreachable, match=r"at http://127.0.0.1:\d+ is unreachable.*studio.base_url"):
        preflight(f"http://127.0.0.1:{free_port()}")


def test_the_health_check_needs_no_tenant(studio):
    assert httpx.get(studio + "/health").json() == {"status": "healthy", "dataset": "iteration1-golden-v1"}


# -- variants, benchmark, quality, money HUD ----------------------------------------------------------


def test_variant_ids_are_deterministic_and_follow_the_contract(admin):
    first = admin.data("GET", "/variant-registry/effect-revisions/101")
    second = admin.data("GET", "/variant-registry/effect-revisions/101", params={"stage": "staging"})
    assert first == second
    ids = [item["variant_id"] for item in first["items"]]
    assert ids == ["er:101:wf:11:env:21:stage:staging:exp:0", "er:101:wf:11:env:22:stage:staging:exp:0",
                   "er:101:wf:11:env:23:stage:staging:exp:0", "er:101:wf:11:env:25:stage:staging:exp:0",
                   "er:101:wf:11:env:27:stage:staging:exp:0", "er:101:wf:12:env:21:stage:staging:exp:31"]
    production = admin.data("GET", "/variant-registry/effect-revisions/101", params={"stage": "production"})
    assert [item["variant_id"] for item in production["items"]] == ["er:101:wf:11:env:26:stage:production:exp:0"]


def test_a_benchmark_has_an_item_and_dispatch_artifacts_per_variant_and_a_money_hud_winner(admin):
    run = admin.data("POST", "/benchmark-matrix-runs", {"effect_revision_id": 101, "input_file_id": 501,
                                                        "runs_per_variant": 20})
    assert run["benchmark_context_id"].startswith("bm_") and run["status"] == "completed"
    assert run["variant_count"] == len(run["items"]) == 6
    for item in run["items"]:
        (artifact,) = item["artifacts"]
        assert artifact["artifact_type"] == "benchmark_variant_dispatches"
        assert len(artifact["payload_json"]["dispatches"]) == item["dispatch_count"] == 20

    hud = admin.data("GET", "/economics/money-hud", params={"benchmark_matrix_run_id": run["id"]})
    assert hud["winner"]["variant_id"] == "er:101:wf:11:env:21:stage:staging:exp:0"
    assert hud["winner"]["margin_usd"] == max(row["margin_usd"] for row in hud["rows"])
    routing = [rec for rec in hud["recommendations"] if rec["type"] == "routing"]
    assert routing == [{"type": "routing", "action": "apply_variant", "target_variant_id": hud["winner"]["variant_id"],
                        "reason": "Highest measured margin in benchmark matrix.",
                        "expected_margin_usd": hud["winner"]["margin_usd"]}]
    flagged = {rec["target_variant_id"] for rec in hud["recommendations"] if rec["type"] == "reliability"}
    assert flagged == {row["variant_id"] for row in hud["rows"] if row["failure_rate_percent"] > 5} != set()
    assert hud["totals"]["dispatch_count"] == 120
    # The golden dataset keeps the winner apart from the fastest and the cheapest-to-compute variant,
    # so a money HUD ranking by speed or by compute cost names another winner.
    fastest = min(hud["rows"], key=lambda row: row["processing_seconds_total"])
    cheapest = min(hud["rows"], key=lambda row: row["compute_cost_usd"])
    assert hud["winner"]["variant_id"] not in (fastest["variant_id"], cheapest["variant_id"])


def test_the_same_benchmark_gives_the_same_rows(admin):
    def rows():
        run = admin.data("POST", "/benchmark-matrix-runs", {"effect_revision_id": 101, "input_file_id": 501,
                                                            "runs_per_variant": 5})
        return admin.data("GET", "/economics/money-hud", params={"benchmark_matrix_run_id": run["id"]})["rows"]

    assert rows() == rows()


def test_a_quality_evaluation_without_a_key_falls_back_and_warns(admin):
    run = admin.data("POST", "/benchmark-matrix-runs", {"effect_revision_id": 101, "input_file_id": 501})
    item = run["items"][0]
    evaluation = admin.data("POST", "/quality-evaluations", {
        "input_ref": "studio-input-file:501", "output_ref": "s3://out/1.png", "benchmark_matrix_run_item_id": item["id"]})
    assert evaluation["composite_score"] == 0.5
    assert evaluation["result_json"]["fallback_reason"] == "gemini_api_key_missing"
    assert evaluation["benchmark_matrix_run_id"] == run["id"]
    assert evaluation["benchmark_context_id"] == run["benchmark_context_id"]
    listed = admin.data("GET", "/quality-evaluations", params={"benchmark_context_id": run["benchmark_context_id"]})
    assert [e["id"] for e in listed] == [evaluation["id"]]
    (warning,) = [entry for entry in admin.data("GET", "/action-logs", params={"severity": "warn"})
                  if entry["context_json"].get("quality_evaluation_id") == evaluation["id"]]
    assert warning["event"] == "quality_eval_fallback_used" and warning["operator_action_json"]["instruction"]


# -- load tests ---------------------------------------------------------------------------------------


def test_a_load_test_runs_inline_when_the_runner_cannot_be_launched_and_aggregates_its_metrics(admin):
    run = new_run(admin)
    started = admin.data("POST", f"/load-test-runs/{run['id']}/start", {})
    assert started["execution"] == {"mode": "inline_fallback"}
    done = wait_until(lambda: admin.data("GET", f"/load-test-runs/{run['id']}"),
                      until=lambda r: r["status"] == "completed", within=LOAD_TEST_S, describe="the load test to end")
    assert done["success_count"] + done["failure_count"] == done["metrics_json"]["planned_dispatches"] == 40
    assert done["p95_latency_ms"] > 0 and done["effective_cost_usd"] > 0 and done["achieved_rps"] > 0
    events = {entry["event"]: entry for entry in admin.data("GET", "/action-logs")
              if entry["context_json"].get("load_test_run_id") == run["id"]}
    assert events["load_test_runner_ecs_fallback"]["operator_action_json"]["instruction"]
    assert "load_test_run_completed" in events

    refused = admin.post(f"/load-test-runs/{run['id']}/cancel")
    assert refused.status_code == 422 and refused.json()["message"] == "Load test run cannot be cancelled."
    assert admin.data("GET", f"/load-test-runs/{run['id']}")["status"] == "completed"
    again = admin.post(f"/load-test-runs/{run['id']}/start", json={})
    assert again.status_code == 422 and again.json()["message"] == "Load test run is not queued."


def test_a_load_test_that_needs_its_runner_is_refused_and_stays_queued(scratch):
    processes, url = start_studio(scratch, ecs_endpoint=f"http://127.0.0.1:{free_port()}")
    try:
        admin = Caller(url)
        run = new_run(admin)
        refused = admin.post(f"/load-test-runs/{run['id']}/start", json={"allow_inline_fallback": False})
        assert refused.status_code == 422 and refused.json()["message"] == "Load test runner could not be launched."
        assert admin.data("GET", f"/load-test-runs/{run['id']}")["status"] == "queued"
    finally:
        processes.stop_all()


def test_a_running_load_test_takes_executor_dispatches_and_can_be_cancelled(admin):
    run = new_run(admin, scenario=2)
    admin.data("POST", f"/load-test-runs/{run['id']}/start", {"mode": "inline"})
    body = {"load_test_run_id": run["id"], "effect_revision_id": 101, "execution_environment_id": 21,
            "input_file_id": 501, "count": 3}
    executor = httpx.Client(base_url=admin.http.base_url.copy_with(path="/"), timeout=10)
    wrong = executor.post("/api/ops/studio/load-test/submit-dispatches", json=body,
                          headers={"X-Studio-Executor-Secret": "guess"})
    assert wrong.status_code == 401 and wrong.json()["message"] == "Invalid executor secret."
    mismatch = executor.post("/api/ops/studio/load-test/submit-dispatches", json={**body, "execution_environment_id": 22},
                             headers={"X-Studio-Executor-Secret": SECRET})
    assert mismatch.status_code == 422 and "execution_environment_id" in mismatch.json()["data"]
    accepted = executor.post("/api/ops/studio/load-test/submit-dispatches", json=body,
                             headers={"X-Studio-Executor-Secret": SECRET})
    assert accepted.status_code == 201, accepted.text
    ids = accepted.json()["data"]["dispatch_ids"]
    assert len(ids) == 3 and all(i.startswith(f"studio_load_test_{run['id']}_") for i in ids)

    cancelled = admin.data("POST", f"/load-test-runs/{run['id']}/cancel")
    assert cancelled["status"] == "cancelled"
    (entry,) = [e for e in admin.data("GET", "/action-logs", params={"severity": "warn", "module": "load_testing"})
                if e["event"] == "load_test_run_cancelled" and e["context_json"]["load_test_run_id"] == run["id"]]
    assert entry["operator_action_json"]["instruction"]
    late = executor.post("/api/ops/studio/load-test/submit-dispatches", json=body,
                         headers={"X-Studio-Executor-Secret": SECRET})
    assert late.status_code == 422


def test_the_anomaly_scan_raises_a_critical_entry_for_a_failing_load_test(admin):
    run = new_run(admin, scenario=2, environment=25)
    admin.data("POST", f"/load-test-runs/{run['id']}/start", {"mode": "inline"})
    wait_until(lambda: admin.data("GET", f"/load-test-runs/{run['id']}"),
               until=lambda r: r["failure_count"] * 100 > 20 * (r["success_count"] + r["failure_count"] or 1) and
               r["success_count"] + r["failure_count"] >= 40,
               within=LOAD_TEST_S, describe="the failing load test to fail often")
    scan = admin.data("POST", "/action-logs/scan-anomalies", {"lookback_minutes": 5})
    assert run["id"] in {anomaly["load_test_run_id"] for anomaly in scan["anomalies"]}
    critical = [e for e in admin.data("GET", "/action-logs", params={"severity": "critical", "unresolved_only": 1})
                if e["context_json"].get("load_test_run_id") == run["id"]]
    assert len(critical) == 1 and critical[0]["operator_action_json"]["instruction"]
    admin.data("POST", f"/load-test-runs/{run['id']}/cancel")


# -- routing ------------------------------------------------------------------------------------------


def test_apply_and_rollback_walk_the_routing_history(fresh_studio):
    admin = Caller(fresh_studio)
    seed = admin.data("GET", "/routing/effect-revisions/101")["active_binding"]
    assert seed["variant_id"] == "er:101:wf:11:env:23:stage:staging:exp:0"
    applied = admin.data("POST", "/routing/apply", {"effect_revision_id": 101, "reason": "winner",
                                                    "variant_id": "er:101:wf:11:env:21:stage:staging:exp:0"})
    assert applied["is_active"] and applied["previous_binding_id"] == seed["id"]
    back = admin.data("POST", "/routing/rollback", {"effect_revision_id": 101, "reason": "undo"})
    assert (back["variant_id"], back["rollback_of_binding_id"]) == (seed["variant_id"], applied["id"])
    assert admin.data("GET", "/routing/effect-revisions/101")["active_binding"]["id"] == back["id"]
    further = admin.data("POST", "/routing/rollback", {"effect_revision_id": 101})
    assert further["variant_id"] == "er:101:wf:11:env:22:stage:staging:exp:0"
    refused = admin.post("/routing/rollback", json={"effect_revision_id": 101})
    assert refused.status_code == 422 and refused.json()["message"] == "Routing rollback failed."
    warnings = [e for e in admin.data("GET", "/action-logs", params={"module": "routing", "severity": "warn"})]
    assert len(warnings) == 2 and all(e["operator_action_json"]["instruction"] for e in warnings)


def test_a_reset_stops_running_load_tests_and_puts_the_seed_back(fresh_studio):
    """The fault matrix's way back to rest between studio runs (tests/stack_lane.py)."""
    admin = Caller(fresh_studio)
    seeded = counts(admin)
    admin.data("POST", "/routing/apply", {"effect_revision_id": 101, "reason": "winner",
                                          "variant_id": "er:101:wf:11:env:21:stage:staging:exp:0"})
    run = new_run(admin, scenario=2)
    admin.data("POST", f"/load-test-runs/{run['id']}/start", {"mode": "inline"})

    undone = httpx.post(fresh_studio + "/control/reset", timeout=10).json()

    assert undone == {"load_tests_stopped": 1}
    after = counts(admin)
    # The seed's binding again (its activation time is the reset's).
    assert {**after, "routing": after["routing"]["id"]} == {**seeded, "routing": seeded["routing"]["id"]}


def test_an_ineligible_variant_is_refused_and_routing_stays(admin):
    before = counts(admin)
    for variant in ("er:101:wf:11:env:24:stage:staging:exp:0", "er:101:wf:11:env:26:stage:staging:exp:0",
                    "er:102:wf:13:env:21:stage:staging:exp:0", "not a variant"):
        response = admin.post("/routing/apply", json={"effect_revision_id": 101, "variant_id": variant})
        assert response.status_code == 422, response.text
        assert response.json()["message"] == "Variant is not eligible for this effect revision."
    assert counts(admin) == before


def test_an_effect_never_routed_has_nothing_to_roll_back(admin):
    assert admin.data("GET", "/routing/effect-revisions/102")["active_binding"] is None
    response = admin.post("/routing/rollback", json={"effect_revision_id": 102})
    assert response.status_code == 422 and response.json()["message"] == "Routing rollback failed."
    assert admin.data("GET", "/routing/effect-revisions/102")["active_binding"] is None


# -- bad input: 4xx with reasons, never a 500, never a partial write ------------------------------------

HUGE = 2**70
BAD_BODIES = {
    "/load-test-runs": [
        {}, {"load_test_scenario_id": "one", "execution_environment_id": 21},
        {"load_test_scenario_id": 1, "execution_environment_id": 999},
        {"load_test_scenario_id": HUGE, "execution_environment_id": 21},
        {"load_test_scenario_id": 1, "execution_environment_id": 21, "status": "exploded"},
        {"load_test_scenario_id": 1, "execution_environment_id": 21, "metrics_json": "not an object"},
        {"load_test_scenario_id": 1, "execution_environment_id": 21, "input_payload": {"x": "y" * 20000}},
        {"load_test_scenario_id": True, "execution_environment_id": 21},
        {"load_test_scenario_id": 1, "execution_environment_id": 21, "achieved_rps": -1},
        {"load_test_scenario_id": 1, "execution_environment_id": 21, "benchmark_context_id": "b" * 65},
    ],
    "/benchmark-matrix-runs": [
        {}, {"effect_revision_id": 101}, {"effect_revision_id": 101, "input_file_id": 501, "runs_per_variant": 0},
        {"effect_revision_id": 101, "input_file_id": 501, "runs_per_variant": 101},
        {"effect_revision_id": 101, "input_file_id": 501, "stage": "qa"},
        {"effect_revision_id": [101], "input_file_id": 501}, {"effect_revision_id": -5, "input_file_id": 501},
        {"effect_revision_id": 101, "input_file_id": 501, "cost_model": [1, 2]},
    ],
    "/quality-evaluations": [
        {}, {"input_ref": "a"}, {"input_ref": "a", "output_ref": "b" * 2049},
        {"input_ref": "a", "output_ref": "b", "provider": "openai"},
        {"input_ref": 5, "output_ref": "b"}, {"input_ref": "a", "output_ref": "b", "benchmark_matrix_run_id": HUGE},
        {"input_ref": "a", "output_ref": "b", "benchmark_context_id": "bm_unknown"},
        {"input_ref": "a", "output_ref": "b", "rubric_version": {"v": 1}},
    ],
    "/routing/apply": [
        {}, {"effect_revision_id": 101}, {"effect_revision_id": 101, "variant_id": "x" * 256},
        {"effect_revision_id": 101, "variant_id": "er:101:wf:11:env:21:stage:staging:exp:0", "stage": "moon"},
        {"effect_revision_id": 101, "variant_id": "er:101:wf:11:env:21:stage:staging:exp:0", "reason": "r" * 2001},
        {"effect_revision_id": 999, "variant_id": "er:999:wf:11:env:21:stage:staging:exp:0"},
        {"effect_revision_id": 101, "variant_id": 42},
    ],
    "/routing/rollback": [{}, {"effect_revision_id": "abc"}, {"effect_revision_id": 101, "reason": "r" * 2001}],
    "/action-logs/scan-anomalies": [{"lookback_minutes": 4}, {"lookback_minutes": 1441}, {"lookback_minutes": "x"}],
}
BAD_CASES = [(path, body) for path, bodies in BAD_BODIES.items() for body in bodies]


@pytest.mark.parametrize("path, body", BAD_CASES, ids=[f"{p}#{i}" for i, (p, _) in enumerate(BAD_CASES)])
def test_a_malformed_body_is_a_422_with_field_messages_and_writes_nothing(admin, path, body):
    before = counts(admin)
    response = admin.post(path, body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["success"] is False and isinstance(answer["data"], dict) and answer["data"], answer
    assert counts(admin) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b"null", b'"text"', b"[" * 50000 + b"]" * 50000,
                                 b'{"effect_revision_id": ' + b"9" * 5000 + b"}"])
def test_a_body_that_is_not_a_json_object_is_refused(admin, raw):
    before = counts(admin)
    response = admin.post("/routing/apply", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert counts(admin) == before


def test_an_oversized_body_is_refused(admin):
    response = admin.post("/load-test-runs", content=b'{"x": "' + b"a" * (300 * 1024) + b'"}')
    assert response.status_code == 413 and response.json()["success"] is False


@pytest.mark.parametrize("path", [
    "/load-test-runs/0", "/load-test-runs/abc", f"/load-test-runs/{HUGE}", "/load-test-runs/-1",
    "/benchmark-matrix-runs/99999", "/quality-evaluations/1.5", "/variant-registry/effect-revisions/999",
    "/routing/effect-revisions/%2e%2e", "/no-such-endpoint",
])
def test_an_unknown_id_or_path_is_a_404_in_the_envelope(admin, path):
    response = admin.get(path)
    assert response.status_code == 404, response.text
    assert response.json()["success"] is False


@pytest.mark.parametrize("path, params", [
    ("/economics/money-hud", {}), ("/economics/money-hud", {"benchmark_matrix_run_id": "x"}),
    ("/economics/money-hud", {"benchmark_matrix_run_id": str(HUGE)}), ("/action-logs", {"severity": "loud"}),
    ("/action-logs", {"unresolved_only": "maybe"}), ("/quality-evaluations", {"benchmark_matrix_run_id": "x"}),
    ("/variant-registry/effect-revisions/101", {"stage": "qa"}),
])
def test_a_bad_query_is_a_422(admin, path, params):
    response = admin.get(path, params=params)
    assert response.status_code == 422, response.text


def test_post_actions_on_unknown_runs_are_404s(admin):
    for path in ("/load-test-runs/424242/start", "/load-test-runs/424242/cancel"):
        response = admin.post(path, {})
        assert response.status_code == 404 and response.json()["message"] == "Load test run not found."


HOSTILE = [None, True, -1, 0, HUGE, 1.5, float("nan"), "x" * 3000, "", [], {}, {"$gt": ""}, "../../etc/passwd",
           "' OR 1=1 --", "\u0000", "101"]
VALID = {
    "/load-test-runs": {"load_test_scenario_id": 1, "execution_environment_id": 21, "effect_revision_id": 101,
                        "input_file_id": 501, "status": "completed", "metrics_json": {}, "input_payload": {},
                        "benchmark_context_id": "bm_x", "achieved_rps": 1},
    "/benchmark-matrix-runs": {"effect_revision_id": 101, "input_file_id": 501, "stage": "staging",
                               "runs_per_variant": 1, "cost_model": {}},
    "/quality-evaluations": {"input_ref": "a", "output_ref": "b", "provider": "gemini", "rubric_version": "v1"},
    "/routing/rollback": {"effect_revision_id": 102, "reason": "r"},
    "/action-logs/scan-anomalies": {"lookback_minutes": 5},
}


@pytest.mark.parametrize("path", sorted(VALID))
def test_any_hostile_value_in_any_field_is_answered_without_a_server_error(admin, path):
    for field in VALID[path]:
        for value in HOSTILE:
            body = json.loads(json.dumps({**VALID[path], field: value}, allow_nan=True))
            response = admin.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})
            assert response.status_code < 500, (field, value, response.text)
            assert response.json()["success"] is (response.status_code < 300), response.text
