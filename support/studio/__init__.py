"""The studio admin API as an area of the suite: its profile section, client and preflight."""
import re

from support import rules
from support.area import Area
from support.preflight import TargetUnreachable, http_problem
from support.studio.client import StudioClient

DATASET_IDS = ("effect_revision_id", "unrouted_effect_revision_id", "input_file_id", "baseline_environment_id",
               "retired_environment_id", "flaky_environment_id", "smoke_load_test_id",
               "smoke_load_test_dispatches", "sustained_load_test_id", "sustained_load_test_dispatches")


def _tenant_host(value):
    """The studio finds the tenant by Host and refuses its central domains 127.0.0.1 and localhost."""
    return (rules.text(value) and re.match(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", value) is not None
            and value.rsplit(":", 1)[0].lower() not in ("127.0.0.1", "localhost"))


SCHEMA = {
    "base_url": rules.URL,
    "host": (_tenant_host, "a tenant's host name (the studio refuses 127.0.0.1 and localhost)"),
    "tokens": {role: (rules.text, "a bearer token") for role in ("admin", "non_admin", "tenantless")},
    "executor_secret": (rules.text, "the studio executor secret"),
    "cost_approval": (rules.text, "an approval reference for runs over cost_limit_usd"),
    "quality_provider_key": rules.one_of("missing", "configured"),
    "reliability_limit_percent": rules.PERCENT,
    "stop_condition": {
        "failure_rate_percent": rules.PERCENT,
        "window_s": rules.POSITIVE,
    },
    "dataset": {
        "name": (rules.text, "the seed dataset's name"),
        "stage": rules.one_of("staging", "production"),
        **{key: rules.ID for key in DATASET_IDS},
    },
    "budgets": rules.BUDGETS,
}


# What a studio target may lack, and how its profile section says it has it.
_CAPABILITIES = {
    "failing_variant": lambda section: bool((section.get("dataset") or {}).get("flaky_environment_id")),
    "no_quality_provider_key": lambda section: section.get("quality_provider_key") == "missing",
}


def _present(section):
    return {name for name, has in _CAPABILITIES.items() if has(section)}


class StudioArea(Area):
    name = "studio"
    title = "Studio admin"
    stack_areas = ("studio",)
    schema = SCHEMA
    optional = frozenset({"tokens.non_admin", "tokens.tenantless", "executor_secret", "cost_approval",
                          "dataset.flaky_environment_id"})
    presence = "base_url"

    def clients(self, profile, run, userdata):
        return {"studio": StudioClient(profile, approval=userdata.get("cost_approval"))}

    def absent_capabilities(self, section):
        return set(_CAPABILITIES) - _present(section)

    def capabilities(self, clients):
        return _present(clients["studio"].section)

    def preflight(self, clients):
        studio = clients["studio"]
        problem = http_problem(studio.http, "/api/admin/studio/observability/sinks",
                               f"the studio's admin API for Host {studio.host}",
                               "studio.base_url, studio.host and studio.tokens.admin",
                               headers={"Authorization": f"Bearer {studio.tokens['admin']}"})
        if problem:
            raise TargetUnreachable(problem)

    def diagnose(self, clients, scenario):
        """The effect's routing as it is now, and the studio's newest action log entries."""
        studio = clients["studio"]
        effect = studio.dataset["effect_revision_id"]
        logs = studio.action_logs()
        return {"routing": studio.routing(effect, attach=False), "last_requests": studio.sent[-10:],
                "newest_action_logs": logs[-10:] if isinstance(logs, list) else logs}

    def close(self, clients):
        clients["studio"].close()


AREA = StudioArea()
