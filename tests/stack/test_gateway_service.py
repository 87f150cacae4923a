"""The embedded gateway as a process, through its HTTP contract (../shared/contracts/gateway.md)."""
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from stack.gateway.config import ROLES
from tests.stack.gateway_processes import GatewayStack
from tests.stack.processes import wait_until

TRACE_DONE_S = 5.0
CHAT = {"model": "stand-in-1", "messages": [{"role": "user", "content": "Why is the sky blue? Tell me."}]}
EXPLAIN = {"x-explain-mode": "hypergraph"}


@pytest.fixture(scope="module")
def gateway(scratch):
    stack = GatewayStack(scratch)
    yield stack
    stack.stop()


def caller(gateway, role="tenant_a"):
    headers = {"Authorization": f"Bearer {ROLES[role]}"} if role else {}
    return httpx.Client(base_url=gateway.state["base_url"], headers=headers, timeout=10)


def explained(client, granularity="sentence", body=CHAT):
    answer = client.post("/v1/chat/completions", json=body,
                         headers={**EXPLAIN, "x-explain-granularity": granularity})
    assert answer.status_code == 200, answer.text
    return answer.headers["x-trace-id"]


def finished(client, trace_id):
    return wait_until(lambda: client.get(f"/v1/traces/{trace_id}/status").json(),
                      until=lambda s: s["state"] in ("complete", "failed", "canceled"), within=TRACE_DONE_S,
                      describe=f"trace {trace_id} to finish")


@pytest.mark.parametrize("role, headers, status, message", [
    (None, {}, 401, "Missing Authorization header"),
    (None, {"Authorization": "Basic abc"}, 401, "Invalid Authorization scheme"),
    (None, {"Authorization": "Bearer nobody"}, 403, "Invalid token"),
    ("no_tenant", {}, 403, "Token has no tenant"),
    ("read_only", {}, 403, "Missing required scopes: ['traces:write']"),
])
def test_a_refused_caller_is_told_why_and_creates_nothing(gateway, role, headers, status, message):
    with caller(gateway, role) as client:
        answer = client.post("/v1/chat/completions", json=CHAT, headers={**EXPLAIN, **headers})
    assert (answer.status_code, answer.json()["detail"]["message"]) == (status, message)
    assert "x-trace-id" not in answer.headers
    if status == 401:
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_an_explained_chat_completes_with_a_graph_and_a_stream(gateway):
    with caller(gateway) as client:
        trace_id = explained(client, "token")
        with client.stream("GET", f"/v1/traces/{trace_id}/stream") as stream:
            events = [line.split(": ", 1)[1] for line in stream.iter_lines() if line.startswith("event: ")]
        graph = client.get(f"/v1/traces/{trace_id}/graph").json()
    assert events[-1] == "complete" and set(events[:-1]) == {"status_update"}, events
    assert graph["meta"]["version"] == "hif-1" and graph["meta"]["granularity"] == "token"
    assert len([n for n in graph["nodes"] if n["attrs"]["kind"] == "token"]) == graph["meta"]["units"]


def test_a_webhook_gets_the_completion_signed_with_the_secret(gateway):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("X-Signature-256")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with caller(gateway) as client:
            trace_id = explained(client)
            hook = client.post(f"/v1/traces/{trace_id}/webhooks",
                               json={"url": f"http://127.0.0.1:{server.server_port}/hook", "secret": "s3cret"})
            assert hook.status_code == 201, hook.text
            wait_until(lambda: len(received), until=lambda n: n == 1, within=TRACE_DONE_S, describe="the webhook")
    finally:
        server.shutdown()
    body, signature = received[0]
    assert json.loads(body) == {"trace_id": trace_id, "state": "complete", "event": "trace.complete"}
    assert signature == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()


def test_a_running_trace_cancels_once_and_a_finished_one_not_at_all(gateway):
    with caller(gateway) as client:
        running = explained(client, "token")
        first = client.delete(f"/v1/traces/{running}")
        second = client.delete(f"/v1/traces/{running}")
        done = explained(client)
        finished(client, done)
        late = client.delete(f"/v1/traces/{done}")
    assert (first.status_code, first.json()["state"]) == (202, "canceled")
    assert (second.status_code, late.status_code) == (409, 409)


def test_an_expired_graph_is_gone(gateway):
    with caller(gateway) as client:
        trace_id = explained(client)
        finished(client, trace_id)
        assert client.get(f"/v1/traces/{trace_id}/graph").status_code == 200
        gone = wait_until(lambda: client.get(f"/v1/traces/{trace_id}/graph").status_code, until=lambda s: s == 410,
                          within=gateway.state["trace_ttl_s"] + 2, describe="the graph to expire")
        assert gone == 410 and client.get(f"/v1/traces/{trace_id}/status").json()["state"] == "expired"


def test_another_tenant_cannot_touch_a_trace_and_is_audited(gateway):
    with caller(gateway) as owner, caller(gateway, "tenant_b") as other:
        trace_id = explained(owner)
        answers = [other.get(f"/v1/traces/{trace_id}/status").status_code,
                   other.get(f"/v1/traces/{trace_id}/graph").status_code,
                   other.get(f"/v1/traces/{trace_id}/stream").status_code,
                   other.post(f"/v1/traces/{trace_id}/webhooks", json={"url": "http://127.0.0.1:9/x"}).status_code,
                   other.delete(f"/v1/traces/{trace_id}").status_code]
    assert answers == [404] * 5
    with open(gateway.state["audit_log"]) as handle:
        denials = [line for line in map(json.loads, handle) if line["trace_id"] == trace_id
                   and line["event"] == "rbac.deny"]
    assert [(d["tenant_id"], d["reason"]) for d in denials] == [("tenant-b", "cross_tenant")] * 5


def test_a_tenant_over_its_rate_waits_whole_seconds_and_others_do_not(gateway):
    with caller(gateway, "tenant_b") as busy, caller(gateway) as calm:
        answers = [busy.get("/v1/traces/none/status") for _ in range(gateway.state["burst"]["read"] * 2)]
        refused = next(a for a in answers if a.status_code == 429)
        other = calm.get("/v1/traces/none/status")
    assert refused.headers["Retry-After"].isdigit() and int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["detail"]["code"] == "rate_limited"
    assert other.status_code == 404


def test_a_burst_beyond_the_queue_is_partly_refused_and_the_rest_complete(gateway):
    from concurrent.futures import ThreadPoolExecutor
    size = gateway.state["burst"]["beyond_queue"]
    with caller(gateway, "tenant_b") as client, ThreadPoolExecutor(size) as pool:
        time.sleep(1)  # the rate-limit test emptied tenant B's buckets
        answers = list(pool.map(lambda _: client.post("/v1/chat/completions", json=CHAT, headers={
            **EXPLAIN, "x-explain-granularity": "token"}), range(size)))
        accepted = [a.headers["x-trace-id"] for a in answers if a.status_code == 200]
        refused = [a for a in answers if a.status_code == 429]
        states = [finished(client, t)["state"] for t in accepted]
    assert accepted and refused and len(accepted) + len(refused) == size
    assert {a.json()["detail"]["code"] for a in refused} == {"queue_full"}
    assert states == ["complete"] * len(accepted)
    metrics = httpx.get(gateway.state["base_url"] + "/metrics").text
    assert f'trace_queue_rejections_total{{tenant="tenant-b"}} {len(refused)}' in metrics


def test_metrics_carry_templates_not_ids(gateway):
    text = httpx.get(gateway.state["base_url"] + "/metrics").text
    assert 'route="/v1/traces/{id}/status"' in text and "trc_" not in text


def test_the_control_api_is_not_on_the_public_port_and_fails_attribution(gateway):
    control = gateway.state["control_url"]
    assert httpx.put(gateway.state["base_url"] + "/control/attribution", json={"failing": True}).status_code == 404
    assert httpx.put(control + "/control/attribution", json={"failing": True}).json() == {"failing": True}
    try:
        with caller(gateway) as client:
            failed = finished(client, explained(client))
    finally:
        httpx.put(control + "/control/attribution", json={"failing": False})
    assert failed["state"] == "failed" and failed["error"]["code"] == "attribution_failed"
    with caller(gateway) as client:
        assert finished(client, explained(client))["state"] == "complete"


def test_a_startup_only_fault_is_refused_with_its_reason(gateway):
    control = gateway.state["control_url"] + "/control/faults"
    answer = httpx.put(control, json={"faults": ["gateway_chart_replicas_capped"]})
    assert (answer.status_code, answer.json()["message"]) == (409, (
        "gateway_chart_replicas_capped can only be given at start (STACK_FAULTS): "
        "the chart is rendered once, when the stack starts"))
    assert httpx.get(control).json()["faults"] == []


def test_every_listed_operation_refuses_anonymous_callers(gateway):
    document = httpx.get(gateway.state["base_url"] + "/openapi.json").json()
    with caller(gateway, None) as client:
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if operation["security"]:
                    answer = client.request(method.upper(), path.replace("{id}", "trc_000000000000"))
                    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer", (path, method)


def test_a_streamed_answer_arrives_in_pieces_and_ends(gateway):
    with caller(gateway) as client:
        with client.stream("POST", "/v1/chat/completions", json={**CHAT, "stream": True}) as answer:
            lines = [line for line in answer.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    pieces = [json.loads(line[6:])["choices"][0]["delta"].get("content") for line in lines[:-1]]
    assert len([p for p in pieces if p]) > 3
