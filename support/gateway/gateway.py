"""What a scenario does with the gateway, in the scenario's words: callers by role, explained
answers, trace waits, webhooks, the books (metrics and audit) and the published API sweep.

Waits for a trace follow its live event stream, so a finished trace is noticed as it finishes.
Everything created expires on its own (a trace lives for the gateway's time to live), so there
is nothing to sweep; a running trace a scenario leaves is cancelled by its cleanup.
"""
import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass

from support.config import Budgets
from support.gateway import hif
from support.gateway.audit import AuditLog
from support.gateway.client import ANONYMOUS, TERMINAL, GatewayClient
from support import reporting
from support.gateway.control import AttributionControl
from support.gateway.deployment import Chart
from support.gateway.speed import SpeedTest, replicas_needed
from concurrent.futures import ThreadPoolExecutor

from support.gateway.metrics import Reading, rise
from support.gateway.receiver import WebhookReceiver
from support.waits import eventually

# Who calls, in a scenario's words: (token role, headers sent instead of the role's token).
CALLERS = {
    "tenant A": ("tenant_a", {}),
    "tenant B": ("tenant_b", {}),
    "tenant A's read-only user": ("read_only", {}),
    "tenant A's write-only user": ("write_only", {}),
    "someone without credentials": (ANONYMOUS, {}),
    "someone with a password instead of a token": (ANONYMOUS, {"Authorization": "Basic c29tZW9uZTpzZWNyZXQ="}),
    "someone with an unknown token": (ANONYMOUS, {"Authorization": "Bearer no-such-token-0000"}),
    "someone whose token belongs to no tenant": ("no_tenant", {}),
}
# The contract's refusals: (status, code, start of the message); None where the contract leaves it open.
REASONS = {
    "credentials are missing": (401, "unauthorized", "Missing Authorization header"),
    "the scheme is not a bearer token": (401, "unauthorized", "Invalid Authorization scheme"),
    "the token is not valid": (403, "forbidden", "Invalid token"),
    "the token has no tenant": (403, None, None),
    "the token lacks the write scope": (403, "missing_scope", "Missing required scopes"),
}
TENANTS = {"tenant A": "tenant_a", "tenant B": "tenant_b"}
PUBLIC_PATHS = ("/healthz", "/metrics", "/openapi.json")
STAGE_ORDER = ("queued", "fetch", "decode", "attribution", "complete")
TRACE_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Requests sent to learn a tenant's label: a number no scrape of the metrics adds by itself.
LEARNING_CALLS = 3
# Tenant labels that name no tenant.
PLACEHOLDER_TENANTS = ("", "none", "anon", "anonymous", "unknown", "default", "null")


class GatewayError(AssertionError):
    """The gateway answered something a scenario did not expect; the message carries the answer."""


def shown(answer):
    """An answer as evidence (the whole exchange, token redacted, is also attached to the report)."""
    return str(answer)


def refusal_of(answer):
    """(status, code, message) of a refused answer; code and message are None when not in the envelope."""
    detail = answer.get("detail")
    if isinstance(detail, dict):
        return answer.status, detail.get("code"), detail.get("message")
    return answer.status, None, None


@dataclass
class Explained:
    """One explained chat as the caller saw it."""
    caller: str
    answer: object
    granularity: str
    trace_id: str = None


class Gateway:
    def __init__(self, section, interval=None):
        self.section = section
        patience = Budgets(section["budgets"], "gateway.budgets")["rate_limit_wait"]
        self.client = GatewayClient(section, patience, interval)
        self.receiver = WebhookReceiver(section.get("webhook_receiver") or "http://127.0.0.1:0")
        self.audit = AuditLog(section["audit_log"]) if section.get("audit_log") else None
        self.control = AttributionControl(section.get("control_url"))
        self.interval = interval
        #: the last trace a scenario created, for the failure diagnosis
        self.last_trace = None
        #: speed runs of this suite run by granularity, which the capacity check reuses
        self.speed_runs = {}
        self._learnt = {}

    def role(self, caller):
        if caller not in CALLERS:
            raise KeyError(f"unknown caller {caller!r}; known: {', '.join(CALLERS)}")
        return CALLERS[caller]

    def has_role(self, caller):
        role, _ = self.role(caller)
        return role == ANONYMOUS or role in self.client.tokens

    # --- chats and traces -----------------------------------------------------------------------

    def ask(self, caller, message="Why is the sky blue? Explain briefly.", granularity="sentence", explain=True):
        role, headers = self.role(caller)
        answer = self.client.chat(role, message, explain=explain, granularity=granularity if explain else None,
                                  headers=headers)
        return Explained(caller, answer, granularity, answer.headers.get("x-trace-id"))

    def explained(self, caller, granularity="sentence", message="Why is the sky blue? Explain briefly."):
        """An explained answer that must be accepted: the answer and its trace reference, or GatewayError."""
        done = self.ask(caller, message, granularity)
        if done.answer.status != 200 or not done.trace_id:
            raise GatewayError(f"{caller}'s explained answer was not accepted with a trace reference: "
                               f"{shown(done.answer)}; headers {dict(done.answer.headers)}")
        self.last_trace = done.trace_id
        return done

    def answer_text(self, done):
        try:
            return done.answer.body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            return None

    def status(self, caller, trace_id, patient=True):
        return self.client.status(self.role(caller)[0], trace_id, patient=patient)

    def follow(self, caller, trace_id, within):
        """The trace's live events until its final state; waits by reopening the stream if it drops."""
        role = self.role(caller)[0]
        seen = []

        def probe():
            _, events = self.client.trace_events(role, trace_id, within.limit)
            seen.extend(events)
            states = [e.data for e in events if isinstance(e.data, dict) and "state" in e.data]
            return states[-1] if states else {"state": None, "events": [str(e) for e in events]}

        final = eventually(probe, until=lambda status: status["state"] in TERMINAL, within=within,
                           describe=f"trace {trace_id} to finish", interval=self.interval)
        return final, seen

    def graph(self, caller, trace_id):
        return self.client.graph(self.role(caller)[0], trace_id)

    def graph_problems(self, caller, trace_id, granularity):
        answer = self.graph(caller, trace_id)
        if answer.status != 200:
            return [f"the graph was not served: {shown(answer)}"]
        return hif.problems(answer.body, granularity)

    def cancel(self, caller, trace_id):
        return self.client.cancel(self.role(caller)[0], trace_id)

    def cancel_if_running(self, trace_id):
        """A cleanup: a trace a scenario leaves running is cancelled (a refusal means it had finished)."""
        self.client.cancel("tenant_a", trace_id)

    def streamed_answer(self, caller, within):
        role, headers = self.role(caller)
        return self.client.streamed_chat(role, "Tell me a short story about a lighthouse.", within)

    # --- webhooks -------------------------------------------------------------------------------

    def subscribe(self, caller, trace_id, path, secret):
        answer = self.client.register_webhook(self.role(caller)[0], trace_id, self.receiver.url + path, secret)
        if answer.status != 201:
            raise GatewayError(f"{caller} could not register a webhook: {shown(answer)}")
        return answer.body

    def deliveries(self, path, within):
        return eventually(lambda: self.receiver.received(path), until=lambda found: len(found) >= 1, within=within,
                          describe=f"a webhook delivery at {path}", interval=self.interval)

    @staticmethod
    def signature_verifies(delivery, secret):
        header = {k.lower(): v for k, v in delivery.headers.items()}.get("x-signature-256", "")
        expected = "sha256=" + hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(header, expected), header

    # --- another tenant -------------------------------------------------------------------------

    def intrude(self, caller, trace_id, within):
        """What `caller` gets for reading, following, subscribing to and cancelling someone's trace."""
        role, _ = self.role(caller)
        status, events = self.client.stream(role, "GET", f"/v1/traces/{trace_id}/stream", within.limit,
                                            stop=lambda event: True)
        answers = {
            "read its status": self.client.status(role, trace_id),
            "read its graph": self.client.graph(role, trace_id),
            "subscribe to it": self.client.register_webhook(role, trace_id, self.receiver.url + "/intruder"),
            "cancel it": self.client.cancel(role, trace_id),
        }
        found = {what: (answer.status, answer.text[:200]) for what, answer in answers.items()}
        found["follow it"] = (status, str(events[:1]))
        return found

    # --- the books ------------------------------------------------------------------------------

    def reading(self):
        answer = self.client.metrics()
        if answer.status != 200:
            raise GatewayError(f"the gateway's metrics are not available: {shown(answer)}")
        return Reading(answer.text)

    def rested(self, caller, within):
        """Waits until `caller` has sent nothing for as long as its emptied read bucket takes to fill
        (the profile's burst.read_refill_s), so its whole burst is available."""
        role, _ = self.role(caller)
        refill = self.section["burst"]["read_refill_s"]
        if refill > within.limit:
            raise GatewayError(f"the read bucket takes {refill:g} s to fill, longer than the {within}")
        eventually(lambda: time.monotonic() - self.client.last_call.get(role, float("-inf")),
                   until=lambda idle: idle >= refill, within=within, interval=self.interval,
                   describe=f"{caller}'s read bucket to fill ({refill:g} s without a request)")

    def read_until_refused(self, caller, refusals, limit):
        """Status reads until `refusals` are refused for the rate; returns (reads sent, refused answers)."""
        role, _ = self.role(caller)
        refused, sent = [], 0
        while len(refused) < refusals and sent < limit:
            answer = self.client.call(role, "GET", "/v1/traces/trc_000000000000/status", attach=False,
                                      patient=False)
            sent += 1
            if answer.status == 429:
                refused.append(answer)
        return sent, refused

    def audit_mark(self):
        return self.audit.mark()

    def audit_since(self, mark):
        return self.audit.since(mark)

    # --- the published API ----------------------------------------------------------------------

    def published_operations(self):
        answer = self.client.openapi()
        if answer.status != 200:
            return None
        return [(method.upper(), path) for path, item in answer.body.get("paths", {}).items()
                for method in item if method in ("get", "post", "put", "patch", "delete")
                and path not in PUBLIC_PATHS]

    def sweep_operations(self, operations):
        """Each operation without credentials, then with valid ones and a malformed body: [(op, kind, answer)]."""
        found = []
        for method, path in operations:
            target = re.sub(r"\{[^}]+\}", "trc_0000000000aa", path)
            anonymous = self.client.call(ANONYMOUS, method, target)
            malformed = self.client.call("tenant_a", method, target, content=b"{not json",
                                         headers={"Content-Type": "application/json"})
            found.append(((method, path), anonymous, malformed))
        return found

    def tenant_of(self, caller):
        """The tenant id the deployment gives a caller's token: the profile's gateway.tenants, or else
        the tenant label under which one request of the caller is counted (learnt once per run)."""
        role = TENANTS[caller]
        configured = (self.section.get("tenants") or {}).get(role)
        if configured:
            return configured
        if role not in self._learnt:
            before = self.reading()
            for _ in range(LEARNING_CALLS):
                self.client.call(role, "GET", "/v1/traces/trc_000000000000/status", attach=False, patient=False)
            after = self.reading()
            rose = [tenant for tenant in after.tenants("http_requests_total")
                    if rise(before, after, "http_requests_total", tenant=tenant) == LEARNING_CALLS]
            if len(rose) != 1:
                raise GatewayError(f"could not learn {caller}'s tenant label from the metrics (labels that rose by "
                                   f"{LEARNING_CALLS}: {rose}); give it as gateway.tenants.{role}")
            self._learnt[role] = rose[0]
        return self._learnt[role]

    def delivery_body(self, delivery):
        try:
            return json.loads(delivery.body)
        except ValueError:
            return {"unreadable body": delivery.body[:200].decode(errors="replace")}

    @staticmethod
    def pieces(events):
        """The text pieces of a streamed answer, in order."""
        found = []
        for event in events:
            if isinstance(event.data, dict):
                for choice in event.data.get("choices", []):
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        found.append(piece)
        return found

    def burst(self, caller, size):
        """`size` explained answers sent at the same moment, each on its own connection."""
        role, _ = self.role(caller)
        with ThreadPoolExecutor(size) as pool:
            answers = list(pool.map(lambda _: self.client.chat(role, "Explain the tides.", explain=True,
                                                               granularity="token", patient=False), range(size)))
        accepted = [a.headers.get("x-trace-id") for a in answers if a.status == 200]
        refused = [a for a in answers if a.status in (429, 503)]
        other = [shown(a) for a in answers if a.status not in (200, 429, 503)]
        return Burst(size, accepted, refused, other)

    def finish_all(self, caller, trace_ids, within):
        """{trace: outcome}; an outcome is "complete" only when the trace completed with a valid graph."""
        outcomes = {}
        for trace_id in trace_ids:
            final, _ = self.follow(caller, trace_id, within)
            problems = self.graph_problems(caller, trace_id, "token") if final["state"] == "complete" else []
            outcomes[trace_id] = final["state"] if not problems else f"graph invalid: {problems}"
        return outcomes

    def wait_gone(self, caller, trace_id, within):
        return eventually(lambda: self.graph(caller, trace_id), until=lambda answer: answer.status == 410,
                          within=within, describe=f"the graph of trace {trace_id} to be gone",
                          interval=self.interval)

    def known_requests(self, caller, chats, denied, refusals):
        """Sends a known set of requests as `caller`'s tenant; the metrics before and after are the evidence."""
        role, _ = self.role(caller)
        tenant, other_tenant = self.tenant_of(caller), self.tenant_of("tenant B")
        before = self.reading()
        for _ in range(chats):
            self.client.chat(role, "Count me once.")
        for _ in range(denied):
            self.client.chat("read_only", "Count me as denied.")
        reads, refused = self.read_until_refused(caller, refusals, limit=4 * self.section["burst"]["read"])
        return Books(tenant, chats, denied, reads, len(refused), before, self.reading(), other_tenant)

    @staticmethod
    def labels_with_ids(reading):
        return [value for value in reading.label_values() if re.search(r"trc_[0-9a-f]{6,}|/v1/traces/[^{]", value)]

    def audit_problems(self, mark, trace_id):
        """What is wrong with the audit lines of one scenario's events on `trace_id`."""
        lines = [line for line in self.audit_since(mark) if line.get("trace_id") == trace_id]
        expected = ("chat.submit", "trace.queued", "webhook.register", "rbac.deny")
        problems = []
        for event in expected:
            found = [line for line in lines if line.get("event") == event]
            if len(found) != 1:
                problems.append(f"{event} appears {len(found)} times: {found}")
                continue
            missing = [key for key in ("tenant_id", "subject", "trace_id", "path") if not found[0].get(key)]
            if missing:
                problems.append(f"{event} lacks {', '.join(missing)}: {found[0]}")
        return problems

    def audit_leaks(self, mark, personal):
        secrets = list(self.client.tokens.values()) + ["Authorization", "Bearer "]
        leaks = []
        for line in self.audit_since(mark):
            text = json.dumps(line)
            found = [s if s in personal else "a token or the credentials" for s in (*secrets, *personal) if s in text]
            if found:
                leaks.append(f"{', '.join(sorted(set(found)))} in {line.get('event')} line")
        return leaks

    # --- speed and capacity -----------------------------------------------------------------------

    def measure_speed(self, granularity, within):
        """Explained chats at the profile's steady rate among plain ones; an explanation not complete
        `within` (a Budget) of its chat counts as not completed. The run is attached to the report."""
        speed = self.section["speed"]
        plan = speed[granularity]
        run = SpeedTest(self.client.base_url, self.client.tokens["tenant_a"], timeout_s=within.limit).run(
            granularity, plan["traces"], plan["rate_per_s"], speed["explain_share"])
        reporting.attach_json(f"explanation speed ({granularity})", run.summary())
        self.speed_runs[granularity] = run
        return run

    def chart(self):
        return Chart.load(self.section["manifest"], self.section["values"])

    def capacity(self, within):
        """Replicas needed at the profile's target concurrency, from this run's sentence speed measurement
        (measured now if no speed scenario ran before)."""
        run = self.speed_runs.get("sentence") or self.measure_speed("sentence", within)
        latency_ms = run.latency.aggregate("avg")
        found = {"throughput_per_replica": round(run.throughput, 3), "explain_share": round(run.explain_share, 3),
                 "mean_latency_s": None if latency_ms is None else round(latency_ms / 1000, 4),
                 "target_concurrency": self.section["speed"]["target_concurrency"], "problems": run.problems()}
        found["replicas_needed"] = replicas_needed(found["target_concurrency"], run.explain_share, run.throughput,
                                                   (latency_ms or 0) / 1000)
        reporting.attach_json("capacity analysis", found)
        return found

    def close(self):
        self.receiver.close()
        self.client.close()


@dataclass
class Burst:
    size: int
    accepted: list
    refused: list
    other: list


@dataclass
class Books:
    """A known set of requests of one tenant and the metrics before and after them."""
    tenant: str
    chats: int
    denied: int
    reads: int
    refused: int
    before: Reading
    after: Reading
    other_tenant: str

    def label_problem(self):
        """Why the tenant label is not a real tenant's, or None."""
        if self.tenant.lower() in PLACEHOLDER_TENANTS:
            return f"the requests are counted under the placeholder tenant {self.tenant!r}"
        if self.tenant == self.other_tenant:
            return f"two tenants' requests are counted under the same tenant label {self.tenant!r}"
        return None

    def expected(self):
        return {"requests": self.chats + self.denied + self.reads, "chats": self.chats,
                "rate-limit rejections": self.refused, "denials": self.denied}

    def rises(self):
        def up(name, **labels):
            return rise(self.before, self.after, name, tenant=self.tenant, **labels)
        return {"requests": up("http_requests_total"), "chats": up("chat_requests_total"),
                "rate-limit rejections": up("rate_limit_rejections_total"), "denials": up("rbac_denied_total")}
