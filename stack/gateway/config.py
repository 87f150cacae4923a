"""The embedded gateway's configuration: static tokens, limits and timings.

A stack run may override any of these under `settings["gateway"]`; `publish` hands the same values
to the suite through the state file, so the tokens and sizes a scenario uses are never copied.
Times are seconds here where production uses minutes, so expiry and recovery fit in a scenario.
"""

TOKENS = {
    "gw-local-tenant-a-rw": {"tenant_id": "tenant-a", "subject": "alice", "scopes": ["traces:read", "traces:write"]},
    "gw-local-tenant-a-read": {"tenant_id": "tenant-a", "subject": "reader", "scopes": ["traces:read"]},
    "gw-local-tenant-a-write": {"tenant_id": "tenant-a", "subject": "writer", "scopes": ["traces:write"]},
    "gw-local-tenant-b-rw": {"tenant_id": "tenant-b", "subject": "bob", "scopes": ["traces:read", "traces:write"]},
    "gw-local-no-tenant": {"tenant_id": None, "subject": "orphan", "scopes": ["traces:read", "traces:write"]},
}
# The suite's names for the tokens above (the profile's gateway.tokens).
ROLES = {"tenant_a": "gw-local-tenant-a-rw", "read_only": "gw-local-tenant-a-read",
         "write_only": "gw-local-tenant-a-write", "tenant_b": "gw-local-tenant-b-rw",
         "no_tenant": "gw-local-no-tenant"}

DEFAULTS = {
    "tokens": TOKENS,
    # Token buckets per tenant and category: `burst` requests at once, refilled at `rate` a second.
    # The suite's own scenarios stay within the bursts; a scenario that empties a bucket on purpose
    # leaves it refilling at one token each 50 ms, slow enough that "at that moment" is measurable.
    "buckets": {"read": {"burst": 60, "rate": 20.0}, "write": {"burst": 40, "rate": 40.0}},
    # Traces waiting for a worker; beyond this a chat asking for an explanation is told to slow down.
    "queue_size": 4,
    "workers": 2,
    # Each of the stages fetch, decode and attribution takes this long; token graphs are finer work.
    "stage_s": {"sentence": 0.04, "token": 0.15},
    # How long a finished trace's graph is kept (production: hours).
    "trace_ttl_s": 1.0,
    # A webhook is tried this many times, this far apart, before it is given up.
    "webhook_attempts": 3,
    "webhook_retry_s": 0.2,
}


def of(settings):
    """The gateway's configuration for this stack run: the defaults with the run's overrides."""
    return {**DEFAULTS, **settings.get("gateway", {})}
