"""The gateway's public API as the suite calls it, with one bearer token per role.

Every exchange is attached to the report with token values redacted (support/http.py); streamed
exchanges (a streamed answer, a trace's live events) are attached once they end. Roles are the
profile's `gateway.tokens` keys: tenant_a (read and write), read_only and write_only (tenant A),
tenant_b, and no_tenant (a token that maps to no tenant), plus `anonymous` (no credentials).
"""
import time

import allure
import httpx

from support.gateway import sse
from support.http import REDACTED, Http
from support.waits import eventually

ANONYMOUS = "anonymous"
EXPLAIN = {"x-explain-mode": "hypergraph"}
TERMINAL = ("complete", "failed", "canceled", "expired")


class GatewayClient:
    def __init__(self, section, patience=None, interval=None):
        """`patience` (a Budget) is how long a call told to slow down waits and tries again, as a
        well-behaved client does; calls that test the rate limit itself pass `patient=False`."""
        self.patience, self.interval = patience, interval
        #: when each role last called (monotonic seconds), so a scenario can wait for a full bucket
        self.last_call = {}
        self.base_url = section["base_url"].rstrip("/")
        self.tokens = {role: token for role, token in section["tokens"].items() if token}
        self.http = Http(self.base_url, secrets=list(self.tokens.values()))
        self._streams = httpx.Client(base_url=self.base_url, timeout=10)

    def headers(self, role, **extra):
        if role == ANONYMOUS:
            return dict(extra)
        if role not in self.tokens:
            raise KeyError(f"no gateway token for role {role!r} (gateway.tokens has {', '.join(sorted(self.tokens))})")
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    # --- plain calls ----------------------------------------------------------------------------

    def call(self, role, method, path, headers=None, patient=True, **kwargs):
        headers = self.headers(role, **(headers or {}))
        self.last_call[role] = time.monotonic()
        answer = self.http.request(method, path, headers=headers, **kwargs)
        if answer.status != 429 or not patient or self.patience is None:
            return answer
        return eventually(lambda: self._again(role, method, path, headers, kwargs),
                          until=lambda again: again.status != 429, within=self.patience, interval=self.interval,
                          describe=f"{method} {path} to be served once the rate limit allows")

    def _again(self, role, method, path, headers, kwargs):
        self.last_call[role] = time.monotonic()
        return self.http.request(method, path, headers=headers, **kwargs)

    def chat(self, role, message, explain=False, granularity=None, headers=None, patient=True):
        extra = dict(headers or {})
        if explain:
            extra.update(EXPLAIN)
        if granularity:
            extra["x-explain-granularity"] = granularity
        body = {"model": "any", "messages": [{"role": "user", "content": message}]}
        return self.call(role, "POST", "/v1/chat/completions", headers=extra, json=body, patient=patient)

    def status(self, role, trace_id, patient=True):
        return self.call(role, "GET", f"/v1/traces/{trace_id}/status", patient=patient)

    def graph(self, role, trace_id):
        return self.call(role, "GET", f"/v1/traces/{trace_id}/graph")

    def cancel(self, role, trace_id):
        return self.call(role, "DELETE", f"/v1/traces/{trace_id}")

    def register_webhook(self, role, trace_id, url, secret=None):
        body = {"url": url, **({"secret": secret} if secret else {})}
        return self.call(role, "POST", f"/v1/traces/{trace_id}/webhooks", json=body)

    def metrics(self):
        return self.http.get("/metrics", attach=False)

    def openapi(self):
        return self.http.get("/openapi.json")

    # --- streams --------------------------------------------------------------------------------

    def stream(self, role, method, path, within, stop=lambda event: False, **kwargs):
        """(status code, events) of a streamed exchange, read until `stop(event)`, its end, or `within` s."""
        events, status, started = [], None, time.monotonic()
        self.last_call[role] = started
        timeout = httpx.Timeout(within, connect=5)
        try:
            with self._streams.stream(method, path, headers=self.headers(role), timeout=timeout, **kwargs) as answer:
                status = answer.status_code
                if status >= 400:
                    answer.read()
                    events.append(sse.Event("refusal", answer.text))
                else:
                    for event in sse.parse(answer.iter_lines()):
                        events.append(event)
                        if stop(event) or time.monotonic() - started > within:
                            break
        except httpx.ReadTimeout:
            events.append(sse.Event("timeout", f"nothing more within {within:g} s"))
        self._attach(method, path, status, events)
        return status, events

    def trace_events(self, role, trace_id, within):
        """The live events of a trace until its final state (the event stream, so no polling delay)."""
        return self.stream(role, "GET", f"/v1/traces/{trace_id}/stream", within,
                           stop=lambda event: event.name != "status_update")

    def streamed_chat(self, role, message, within):
        body = {"model": "any", "stream": True, "messages": [{"role": "user", "content": message}]}
        return self.stream(role, "POST", "/v1/chat/completions", within, json=body)

    def _attach(self, method, path, status, events):
        text = f"{method} {self.base_url}{path}\n→ {status}\n\n" + "\n".join(str(e) for e in events)
        for token in self.tokens.values():
            text = text.replace(token, REDACTED)
        allure.attach(text, name=f"{method} {path} → {status} (stream)", attachment_type=allure.attachment_type.TEXT)

    def close(self):
        self.http.close()
        self._streams.close()
