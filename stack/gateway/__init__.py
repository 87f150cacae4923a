"""The async sidecar gateway of seed 004: the gateway itself and the model it forwards to.

The gateway process also serves its control API on a second port of its own choosing, which it
writes to a file in the run's directory once it listens; `publish` reads it from there.
"""
import os

from stack.area import Service, StackArea
from stack.gateway import chart, config
from stack.gateway.server import AUDIT_FILE, CONTROL_PORT_FILE


def _control_port(settings):
    with open(os.path.join(settings["runtime_dir"], CONTROL_PORT_FILE)) as handle:
        return int(handle.read())


def publish(settings):
    """The gateway's section of the state file, shaped like the profile's `gateway:` section."""
    gateway = config.of(settings)
    port = _control_port(settings)
    buckets = gateway["buckets"]
    return {
        "base_url": settings["endpoints"]["gateway"],
        "control_url": f"http://127.0.0.1:{port}",
        "audit_log": os.path.join(settings["runtime_dir"], AUDIT_FILE),
        "tokens": dict(config.ROLES),
        "trace_ttl_s": gateway["trace_ttl_s"],
        "burst": {"read": buckets["read"]["burst"], "write": buckets["write"]["burst"],
                  "read_refill_s": buckets["read"]["burst"] / buckets["read"]["rate"],
                  # Every worker busy and every queue slot taken, plus as many again: some must be refused.
                  "beyond_queue": min(buckets["write"]["burst"], 2 * (gateway["queue_size"] + gateway["workers"]))},
        "tenants": {role: config.TOKENS[config.ROLES[role]]["tenant_id"] for role in ("tenant_a", "tenant_b")},
        "manifest": chart.manifest(settings),
        "values": chart.values(settings),
    }


AREA = StackArea(
    name="gateway",
    services={"gateway": Service("stack.gateway.server", "/healthz"),
              "upstream": Service("stack.gateway.upstream", "/health")},
    needs_aws=False,
    publish=publish,
)
