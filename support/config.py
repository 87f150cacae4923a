"""Profiles: where the systems are, what they are called, and every budget a scenario checks.

A profile is YAML in config/profiles/. `${VAR}` and `${VAR:-default}` take values from the
environment so that secrets never sit in the file. Validation happens once, at start, and a bad
profile stops the run with one message naming the file and the key.
"""
import os
import re
from dataclasses import dataclass

import yaml

from support.perf.settings import check_loads

PROFILES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config", "profiles")
FROM_STACK = "from_stack"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ProfileError(Exception):
    """A profile that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Budget:
    """A named limit in seconds (or another unit), so failures can say which promise was broken."""

    name: str
    limit: float
    unit: str = "s"

    def __str__(self):
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.name.replace('_', ' ')} ({self.limit:g}{unit})"


class Budgets:
    def __init__(self, limits, source, unit="s"):
        self._limits = limits
        self._source = source
        self._unit = unit

    def __getitem__(self, name):
        key = name.strip().replace(" ", "_").replace("-", "_")
        if key not in self._limits:
            known = ", ".join(sorted(self._limits))
            kind = "budget" if self._unit else "limit"
            raise KeyError(f"no {kind} named {name!r} in {self._source} ({kind}s: {known})")
        return Budget(key, self._limits[key], self._unit)

    def names(self):
        return sorted(self._limits)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _positive_number(value):
    return _is_number(value) and value > 0


def _text(value):
    return isinstance(value, str) and value.strip() != ""


def _url_or_stack(value):
    return value == FROM_STACK or (isinstance(value, str) and re.match(r"^https?://[^\s/]+", value) is not None)


def _optional_url(value):
    return value is None or _url_or_stack(value)


def _bool(value):
    return isinstance(value, bool)


def _positive_whole(value):
    """An id or a count; environment variables give text, so digits in a string count too."""
    if isinstance(value, str):
        return value.isdigit() and int(value) > 0
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _percent(value):
    return _is_number(value) and 0 < value <= 100


def _tenant_host(value):
    """The studio finds the tenant by Host and refuses its central domains 127.0.0.1 and localhost."""
    return (_text(value) and re.match(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", value) is not None
            and value.rsplit(":", 1)[0].lower() not in ("127.0.0.1", "localhost"))


STUDIO_DATASET_IDS = ("effect_revision_id", "unrouted_effect_revision_id", "input_file_id", "baseline_environment_id",
                      "retired_environment_id", "flaky_environment_id", "smoke_load_test_id",
                      "smoke_load_test_dispatches", "sustained_load_test_id", "sustained_load_test_dispatches")


SCHEMA = {
    "description": (_text, "a sentence saying what this profile targets"),
    "target": (lambda v: v in ("embedded", "remote"), "'embedded' or 'remote'"),
    "protected": (_bool, "true or false"),
    "region": (_text, "an AWS region name"),
    "credentials": {
        "access_key_id": (lambda v: v is None or _text(v), "a key id, or empty for the default AWS chain"),
        "secret_access_key": (lambda v: v is None or _text(v), "a secret, or empty for the default AWS chain"),
    },
    "stack": {
        "state_file": (_text, "a path"),
        "idle_timeout_s": (_positive_number, "a number of seconds above 0"),
        "max_edit_tasks": (lambda v: isinstance(v, int) and v > 0, "a whole number above 0"),
    },
    "endpoints": {
        "aws": (_optional_url, "an http(s) URL, 'from_stack', or empty for AWS itself"),
        "ecs": (_optional_url, "an http(s) URL, 'from_stack', or empty for AWS itself"),
        "load_balancer": (_url_or_stack, "an http(s) URL or 'from_stack'"),
        # The embedded stack's chaos control APIs (support/chaos.py); a remote target has none.
        "ecs_control": (_url_or_stack, "an http(s) URL or 'from_stack'"),
        "hermes_control": (_url_or_stack, "an http(s) URL or 'from_stack'"),
    },
    "names": {
        **{key: (_text, "a resource name")
           for key in ("cluster", "hermes_service", "edit_service", "sessions_table", "thread_table",
                       "email_queue", "email_dlq", "preview_bucket", "hermes_log_group", "edit_log_group")},
        "preview_prefix": (lambda v: _text(v) and "{session}" in v, "a key prefix naming {session} (and {client})"),
    },
    "workspace": {
        "access": (lambda v: v in ("local_directory", "ecs_exec"), "'local_directory' or 'ecs_exec'"),
        "root": (_text, "a directory, or 'from_stack'"),
        "container": (_text, "the edit container's name"),
    },
    "email": {
        "recipient": (lambda v: _text(v) and "{client}" in v, "an address template naming {client}"),
        "mailbox": (lambda v: v in ("moto_outbox", "s3_inbox"), "'moto_outbox' or 's3_inbox'"),
        "inbox_bucket": (_text, "the bucket where the test domain's inbound mail lands"),
        "inbox_prefix": (_text, "a key prefix"),
    },
    "log_markers": {
        key: (_text, "the text the system logs at this stage")
        for key in ("email_received", "container_started", "instruction_done", "build_done", "upload_done",
                    "push_done")
    },
    "budgets": (lambda v: isinstance(v, dict) and v and all(_positive_number(x) for x in v.values()),
                "a mapping of budget names to numbers above 0"),
    "limits": (lambda v: isinstance(v, dict) and all(_positive_number(x) for x in v.values()),
               "a mapping of limit names to numbers above 0"),
    "chaos": {
        "driver": (lambda v: v in ("stack_control", "ecs"), "'stack_control' (the embedded stack) or 'ecs'"),
        "throttled_writes": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 1000,
                             "a whole number from 1 to 1000"),
    },
    "polling": {
        "interval_s": (lambda v: _positive_number(v) and v <= 5, "a number of seconds above 0, at most 5"),
    },
    "cost_limit_usd": (lambda v: _is_number(v) and v >= 0, "a number of US dollars"),
    "costs": {
        "prices": {
            key: (lambda v: _is_number(v) and v >= 0, "a price or size, 0 or more")
            for key in ("fargate_vcpu_hour_usd", "fargate_gb_hour_usd", "task_vcpu", "task_memory_gb",
                        "dynamodb_million_reads_usd", "dynamodb_million_writes_usd", "logs_ingested_gb_usd")
        },
        "session_limit_usd": (_positive_number, "US dollars above 0"),
        "run_limit_usd": (_positive_number, "US dollars above 0"),
        "publish_metrics": (_bool, "true or false"),
        "metrics_namespace": (_text, "a CloudWatch namespace"),
        "report_file": (_text, "a path for the run's cost report (JSON)"),
    },
    "performance": {
        "publish_metrics": (_bool, "true or false (send results to CloudWatch)"),
        "metrics_namespace": (_text, "a CloudWatch namespace"),
        "report_dir": (_text, "a directory for the JSON results"),
        "baseline": {
            "bucket": (_text, "the S3 bucket that keeps each run's summary"),
            "create_bucket": (_bool, "true or false"),
            "regression_percent": (_positive_number, "a percentage above 0"),
        },
        "generator": {
            "min_rate_share": (lambda v: _is_number(v) and 0 < v <= 1, "a share above 0 and at most 1, e.g. 0.98"),
            "max_dispatch_lag_ms": (_positive_number, "milliseconds above 0"),
            "max_in_flight": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
                              "a whole number above 0"),
            "request_timeout_s": (_positive_number, "seconds above 0"),
        },
        "start_times": {
            **{key: (lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0, "a whole number above 0")
               for key in ("cold_starts", "warm_starts")},
            "warm_share_of_cold": (lambda v: _is_number(v) and 0 < v < 1, "a share between 0 and 1, e.g. 0.5"),
        },
        "loads": (check_loads, "a mapping of load names to loads"),
    },
    "studio": {
        "base_url": (_url_or_stack, "an http(s) URL or 'from_stack'"),
        "host": (_tenant_host, "a tenant's host name (the studio refuses 127.0.0.1 and localhost)"),
        "tokens": {role: (_text, "a bearer token") for role in ("admin", "non_admin", "tenantless")},
        "executor_secret": (_text, "the studio executor secret"),
        "cost_approval": (_text, "an approval reference for runs over cost_limit_usd"),
        "quality_provider_key": (lambda v: v in ("missing", "configured"), "'missing' or 'configured'"),
        "reliability_limit_percent": (_percent, "a percentage above 0, at most 100"),
        "stop_condition": {
            "failure_rate_percent": (_percent, "a percentage above 0, at most 100"),
            "window_s": (_positive_number, "a number of seconds above 0"),
        },
        "dataset": {
            "name": (_text, "the seed dataset's name"),
            "stage": (lambda v: v in ("staging", "production"), "'staging' or 'production'"),
            **{key: (_positive_whole, "a whole number above 0") for key in STUDIO_DATASET_IDS},
        },
    },
}
OPTIONAL = {"limits", "chaos", "chaos.throttled_writes", "endpoints.ecs_control", "endpoints.hermes_control",
            "stack", "performance", "email.inbox_bucket", "email.inbox_prefix", "credentials.access_key_id", "credentials.secret_access_key", "endpoints.aws", "endpoints.ecs",
            "workspace.root", "workspace.container", "studio", "studio.tokens.non_admin", "studio.tokens.tenantless",
            "studio.executor_secret", "studio.cost_approval", "studio.dataset.flaky_environment_id"}


def _interpolate(value, source, key):
    if isinstance(value, dict):
        return {k: _interpolate(v, source, f"{key}.{k}" if key else k) for k, v in value.items()}
    if not isinstance(value, str):
        return value

    def substitute(match):
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is not None:
            return default
        raise ProfileError(f"{source}: key '{key}' needs the environment variable {name}, which is not set")

    result = _VARIABLE.sub(substitute, value)
    if result == "":
        return None
    if _VARIABLE.fullmatch(value):
        # A value that is only a variable takes the variable's YAML type: true, 3, 0.5.
        try:
            typed = yaml.safe_load(result)
        except yaml.YAMLError:
            return result
        return typed if isinstance(typed, (bool, int, float)) else result
    return result


def _validate(data, schema, source, prefix=""):
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: '{prefix.rstrip('.') or 'the file'}' must be a mapping")
    for key in data:
        if key not in schema:
            raise ProfileError(f"{source}: unknown key '{prefix}{key}' (known: {', '.join(sorted(schema))})")
    for key, rule in schema.items():
        path = prefix + key
        if key not in data or data[key] is None:
            if path in OPTIONAL:
                continue
            raise ProfileError(f"{source}: missing key '{path}'")
        if isinstance(rule, dict):
            _validate(data[key], rule, source, path + ".")
        else:
            check, expected = rule
            try:
                ok = check(data[key])
            except ValueError as error:  # a check that knows better than `expected` says what is wrong
                raise ProfileError(f"{source}: key '{path}': {error}") from None
            if not ok:
                raise ProfileError(f"{source}: key '{path}' is {data[key]!r}; expected {expected}")


class Profile:
    def __init__(self, name, data, source):
        self.name = name
        self.data = data
        self.source = source
        self.budgets = Budgets(data["budgets"], source)
        self.limits = Budgets(data.get("limits") or {}, source, unit="")

    def __getitem__(self, key):
        return self.data[key]

    @property
    def embedded(self):
        return self.data["target"] == "embedded"

    def with_stack(self, state):
        """Fills every 'from_stack' value from the embedded stack's state file."""
        endpoints = dict(self.data["endpoints"])
        mapping = {"aws": "aws", "ecs": "ecs", "load_balancer": "lb", "ecs_control": "ecs_control",
                   "hermes_control": "hermes_control"}
        for key, stack_key in mapping.items():
            if endpoints.get(key) == FROM_STACK:
                # A stack started before a control API existed lacks it; its scenarios are then skipped.
                endpoints[key] = state["endpoints"].get(stack_key)
        workspace = dict(self.data["workspace"])
        if workspace.get("root") == FROM_STACK:
            workspace["root"] = state["workspace_root"]
        data = {**self.data, "endpoints": endpoints, "workspace": workspace}
        if self.data.get("studio", {}).get("base_url") == FROM_STACK:
            if "studio" not in state["endpoints"]:
                raise ProfileError(f"{self.source}: studio.base_url is 'from_stack' but the running stack has no "
                                   "studio; stop it (python -m stack down) so that a current one starts")
            data["studio"] = {**self.data["studio"], "base_url": state["endpoints"]["studio"]}
        return Profile(self.name, data, self.source)


def _without_unset_studio(raw, source):
    """A studio section whose base URL comes out empty is switched off, so a target without the
    studio needs none of its variables (its @studio scenarios are skipped)."""
    studio = raw.get("studio") if isinstance(raw, dict) else None
    if isinstance(studio, dict) and _interpolate(studio.get("base_url"), source, "studio.base_url") is None:
        return {key: value for key, value in raw.items() if key != "studio"}
    return raw


def profile_path(name):
    if os.sep in name or name.endswith(".yaml"):
        return name
    return os.path.join(PROFILES_DIR, f"{name}.yaml")


def load_profile(name):
    path = profile_path(name)
    source = os.path.relpath(path)
    if not os.path.exists(path):
        known = ", ".join(sorted(f[:-5] for f in os.listdir(PROFILES_DIR) if f.endswith(".yaml")))
        raise ProfileError(f"{source}: no such profile (profiles: {known})")
    try:
        with open(path) as handle:
            raw = yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise ProfileError(f"{source}: not valid YAML: {error}") from None
    data = _interpolate(_without_unset_studio(raw, source), source, "")
    _validate(data, SCHEMA, source)
    if data["target"] == "embedded" and "stack" not in data:
        raise ProfileError(f"{source}: missing key 'stack' (an embedded target needs it)")
    if data["email"]["mailbox"] == "s3_inbox" and not data["email"].get("inbox_bucket"):
        raise ProfileError(f"{source}: missing key 'email.inbox_bucket' (the s3_inbox mailbox needs it)")
    return Profile(os.path.basename(path)[:-5], data, source)
