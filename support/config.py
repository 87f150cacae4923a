"""Profiles: where the systems are, what they are called, and every budget a scenario checks.

A profile is YAML in config/profiles/. `${VAR}` and `${VAR:-default}` take values from the
environment so that secrets never sit in the file. Validation happens once, at start, and a bad
profile stops the run with one message naming the file and the key.
"""
import os
import re
from dataclasses import dataclass

import yaml

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
        return f"{self.name.replace('_', ' ')} ({self.limit:g} {self.unit})"


class Budgets:
    def __init__(self, limits, source):
        self._limits = limits
        self._source = source

    def __getitem__(self, name):
        key = name.strip().replace(" ", "_").replace("-", "_")
        if key not in self._limits:
            known = ", ".join(sorted(self._limits))
            raise KeyError(f"no budget named {name!r} in {self._source} (budgets: {known})")
        return Budget(key, self._limits[key])

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
    "log_markers": {
        key: (_text, "the text the system logs at this stage")
        for key in ("email_received", "container_started", "instruction_done", "build_done", "upload_done",
                    "push_done")
    },
    "budgets": (lambda v: isinstance(v, dict) and v and all(_positive_number(x) for x in v.values()),
                "a mapping of budget names to numbers above 0"),
    "polling": {
        "interval_s": (lambda v: _positive_number(v) and v <= 5, "a number of seconds above 0, at most 5"),
    },
    "cost_limit_usd": (lambda v: _is_number(v) and v >= 0, "a number of US dollars"),
}
OPTIONAL = {"stack", "credentials.access_key_id", "credentials.secret_access_key", "endpoints.aws", "endpoints.ecs",
            "workspace.root", "workspace.container"}


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
    return result if result != "" else None


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
            if not check(data[key]):
                raise ProfileError(f"{source}: key '{path}' is {data[key]!r}; expected {expected}")


class Profile:
    def __init__(self, name, data, source):
        self.name = name
        self.data = data
        self.source = source
        self.budgets = Budgets(data["budgets"], source)

    def __getitem__(self, key):
        return self.data[key]

    @property
    def embedded(self):
        return self.data["target"] == "embedded"

    def with_stack(self, state):
        """Fills every 'from_stack' value from the embedded stack's state file."""
        endpoints = dict(self.data["endpoints"])
        mapping = {"aws": "aws", "ecs": "ecs", "load_balancer": "lb"}
        for key, stack_key in mapping.items():
            if endpoints.get(key) == FROM_STACK:
                endpoints[key] = state["endpoints"][stack_key]
        workspace = dict(self.data["workspace"])
        if workspace.get("root") == FROM_STACK:
            workspace["root"] = state["workspace_root"]
        return Profile(self.name, {**self.data, "endpoints": endpoints, "workspace": workspace}, self.source)


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
    data = _interpolate(raw, source, "")
    _validate(data, SCHEMA, source)
    if data["target"] == "embedded" and "stack" not in data:
        raise ProfileError(f"{source}: missing key 'stack' (an embedded target needs it)")
    return Profile(os.path.basename(path)[:-5], data, source)
