"""The gateway area (seed 004): the async sidecar gateway's promises, against the embedded gateway
or any deployed one named by a URL and tokens (config/profiles/gateway.yaml).

What the target can do decides what runs: no control URL, no `attribution_failure` scenario; no
audit log path, no audit scenario; no manifest, no deployment checks; no token without a tenant,
no such row of the access outline. Each is skipped with its reason, never failed.
"""
import httpx

from support import rules
from support.area import Area
from support.config import ProfileError
from support.gateway.gateway import Gateway
from support.preflight import TargetUnreachable

ROLES = ("tenant_a", "read_only", "write_only", "tenant_b")
TOKENS = (lambda v: isinstance(v, dict) and all(rules.text(v.get(role)) for role in ROLES)
          and set(v) <= {*ROLES, "no_tenant"},
          "bearer tokens for tenant_a, read_only, write_only and tenant_b (and optionally no_tenant)")
BURST = (lambda v: isinstance(v, dict) and set(v) == {"read", "write", "beyond_queue", "read_refill_s"}
         and all(rules.whole(v[key]) and v[key] > 0 for key in ("read", "write", "beyond_queue"))
         and rules.number(v["read_refill_s"]) and v["read_refill_s"] > 0,
         "{read, write, beyond_queue, read_refill_s}: the read and write burst sizes of a tenant's token "
         "buckets, a number of explained chats at once that is more than the trace queue holds, and the "
         "seconds an emptied read bucket takes to fill")
SPEED_RUN = {
    "traces": (rules.POSITIVE_WHOLE[0], "how many explained answers the speed scenario sends"),
    "rate_per_s": (rules.POSITIVE[0], "explained answers a second"),
}


class GatewayArea(Area):
    name = "gateway"
    title = "Async gateway"
    stack_areas = ("gateway",)
    schema = {
        "base_url": rules.URL,
        "control_url": (rules.url, "the gateway's control API, an http(s) URL (empty: no fault control)"),
        "audit_log": (rules.text, "the file the gateway writes its audit lines to (empty: not readable)"),
        "tokens": TOKENS,
        "tenants": {
            # Empty: learnt from the metrics (the label one request of the tenant is counted under).
            "tenant_a": (rules.text, "the tenant id tenant A's tokens map to (the label its metrics carry)"),
            "tenant_b": (rules.text, "the tenant id tenant B's token maps to"),
        },
        "webhook_receiver": (rules.url, "http://host:port where the suite receives webhooks, reachable from the "
                                        "gateway (port 0: any free port)"),
        "trace_ttl_s": rules.POSITIVE,
        "burst": BURST,
        "manifest": (rules.text, "the path of the rendered chart (helm template output)"),
        "values": (rules.text, "the path of the chart's values file"),
        "speed": {
            "sentence": SPEED_RUN,
            "token": SPEED_RUN,
            "explain_share": (rules.SHARE[0], "the share of chats that ask for an explanation, above 0 and at most 1"),
            "target_concurrency": rules.POSITIVE_WHOLE,
        },
        "budgets": rules.BUDGETS,
    }
    optional = frozenset({"control_url", "audit_log", "manifest", "values", "tenants", "tenants.tenant_a",
                          "tenants.tenant_b"})
    presence = "base_url"

    def check_profile(self, profile):
        section = profile.area("gateway")
        if bool(section.get("manifest")) != bool(section.get("values")):
            raise ProfileError(f"{profile.where('gateway.manifest')}: gateway.manifest and gateway.values go together "
                               "(the deployment checks compare the rendered chart with its values)")

    def clients(self, profile, run, userdata):
        return {"gateway": Gateway(profile.area("gateway"), profile.interval)}

    def absent_capabilities(self, section):
        tokens = section.get("tokens")
        no_tenant = tokens == rules.FROM_STACK or (isinstance(tokens, dict) and tokens.get("no_tenant"))
        empty = {"attribution_failure": not section.get("control_url"), "audit_log": not section.get("audit_log"),
                 "manifest": not (section.get("manifest") and section.get("values")), "tenantless_token": not no_tenant}
        return {capability for capability, absent in empty.items() if absent}

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
            answer = gateway.client.call("tenant_a", "GET", "/v1/traces/trc_000000000000/status", attach=False)
        except httpx.HTTPError as error:
            raise TargetUnreachable(f"the gateway at {gateway.client.base_url} is unreachable "
                                    f"({type(error).__name__}: {error}); check gateway.base_url") from None
        if answer.status in (401, 403):
            raise TargetUnreachable(f"the gateway at {gateway.client.base_url} refused tenant A's token "
                                    f"({answer.status} {answer.text[:200]}); check gateway.tokens.tenant_a")
        if answer.status >= 500:
            raise TargetUnreachable(f"the gateway at {gateway.client.base_url} is failing "
                                    f"({answer.status} {answer.text[:200]})")

    def diagnose(self, clients, scenario):
        gateway = clients["gateway"]
        trace_id = gateway.last_trace
        snapshot = {}
        if trace_id:
            answer = gateway.client.call("tenant_a", "GET", f"/v1/traces/{trace_id}/status", attach=False)
            snapshot["last trace status"] = {"trace": trace_id, "answer": answer.status, "body": answer.text[:500]}
        if gateway.control.available:
            snapshot["attribution failing"] = gateway.control.url
        return snapshot or None

    def close(self, clients):
        clients["gateway"].close()


AREA = GatewayArea()
