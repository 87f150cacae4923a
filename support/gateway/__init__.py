"""The gateway area (seed 004): the async sidecar gateway's promises, against the embedded gateway
or any deployed one named by a URL and tokens (config/profiles/gateway.yaml).

What the target can do decides what runs: no control URL, no `attribution_failure` scenario; no
audit log path, no audit scenario; no manifest, no deployment checks; no token without a tenant,
no such row of the access outline. Each is skipped with its reason, never failed.
"""
import re

import httpx

from support.area import Area
from support.gateway.gateway import Gateway
from support.preflight import TargetUnreachable

FROM_STACK = "from_stack"


def _url(value):
    return value == FROM_STACK or (isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None)


def _text(value):
    return isinstance(value, str) and value.strip() != ""


def _whole(value):
    return value == FROM_STACK or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def _seconds(value):
    return value == FROM_STACK or (isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0)


def _budgets(value):
    return isinstance(value, dict) and value and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in value.values())


class GatewayArea(Area):
    name = "gateway"
    stack_areas = ("gateway",)
    schema = {
        "base_url": (_url, "an http(s) URL or 'from_stack'"),
        "control_url": (_url, "the gateway's control API (an http(s) URL or 'from_stack')"),
        "audit_log": (_text, "the path of the file the gateway writes its audit lines to"),
        "tokens": (lambda v: v == FROM_STACK or (isinstance(v, dict) and all(
            _text(v.get(role)) for role in ("tenant_a", "read_only", "write_only", "tenant_b"))
            and set(v) <= {"tenant_a", "read_only", "write_only", "tenant_b", "no_tenant"}),
            "'from_stack' or bearer tokens for tenant_a, read_only, write_only, tenant_b (and optionally no_tenant)"),
        "webhook_receiver": (_url, "http://host:port the gateway can reach (port 0: any free port)"),
        "trace_ttl_s": (_seconds, "the trace time to live in seconds"),
        "burst": (lambda v: v == FROM_STACK or (isinstance(v, dict) and set(v) == {"read", "write", "beyond_queue"}
                                                and all(_whole(x) for x in v.values())),
                  "'from_stack' or {read, write, beyond_queue}: whole numbers above 0"),
        "manifest": (_text, "the path of a rendered manifest (helm template output)"),
        "values": (_text, "the path of the chart's values file"),
        "tenants": {
            "tenant_a": (_text, "the tenant id tenant A's tokens map to (the label the metrics carry)"),
            "tenant_b": (_text, "the tenant id tenant B's token maps to"),
        },
        "speed": {
            **{granularity: {
                "traces": (_whole, "how many explained answers the speed scenario sends"),
                "rate_per_s": (_seconds, "explained answers a second"),
            } for granularity in ("sentence", "token")},
            "explain_share": (lambda v: isinstance(v, (int, float)) and 0 < v <= 1,
                              "the share of chats that ask for an explanation: above 0, at most 1"),
            "target_concurrency": (_whole, "chats in flight the deployment must carry"),
        },
        "budgets": (_budgets, "a mapping of budget names to numbers above 0"),
    }
    optional = frozenset({"control_url", "audit_log", "manifest", "values", "speed", "tokens.no_tenant"})

    def clients(self, profile, run, userdata):
        section = profile["gateway"]
        interval = profile.data.get("polling", {}).get("interval_s")
        return {"gateway": Gateway(section, interval)}

    def capabilities(self, clients):
        gateway = clients["gateway"]
        found = {"metrics"}
        if gateway.control.available:
            found.add("attribution_failure")
        if gateway.audit is not None:
            found.add("audit_log")
        if gateway.section.get("manifest") and gateway.section.get("values"):
            found.add("manifest")
        if gateway.client.tokens.get("no_tenant"):
            found.add("tenantless_token")
        return found

    def preflight(self, clients):
        gateway = clients["gateway"]
        try:
            answer = gateway.client.status("tenant_a", "trc_000000000000")
        except httpx.HTTPError as error:
            raise TargetUnreachable(f"the gateway at {gateway.client.base_url} is unreachable "
                                    f"({type(error).__name__}: {error}); check gateway.base_url") from None
        if answer.status_code in (401, 403):
            raise TargetUnreachable(f"the gateway at {gateway.client.base_url} refused tenant A's token "
                                    f"({answer.status_code} {answer.text[:200]}); check gateway.tokens.tenant_a")
        if answer.status_code >= 500:
            raise TargetUnreachable(f"the gateway at {gateway.client.base_url} is failing "
                                    f"({answer.status_code} {answer.text[:200]})")

    def diagnose(self, clients, scenario):
        gateway = clients["gateway"]
        trace_id = gateway.last_trace
        snapshot = {}
        if trace_id:
            answer = gateway.client.status("tenant_a", trace_id)
            snapshot["last trace status"] = {"trace": trace_id, "answer": answer.status_code, "body": answer.text[:500]}
        if gateway.control.available:
            snapshot["attribution failing"] = gateway.control.url
        return snapshot or None

    def close(self, clients):
        clients["gateway"].close()


AREA = GatewayArea()
