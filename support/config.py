"""Profiles: where the systems are, what they are called, and every budget a scenario checks.

A profile is YAML in config/profiles/: a few run-wide keys and one section per area (`preview:`,
`studio:`, ...), each validated by its area's own schema. `extends: <profile>` takes another profile
and overrides only what differs. `${VAR}` and `${VAR:-default}` take values from the environment so
that secrets never sit in the file. `from_stack` takes a value from the embedded stack's state file
(stack/state.md) at the same key path, so the stack and the suite never copy each other's facts.
Validation happens at start: a bad profile stops the run with one message naming the file and key.
"""
import os
import re
from dataclasses import dataclass

import yaml

from support.rules import BOOL, COSTLY, FROM_STACK, NOT_NEGATIVE, OPTIONAL_TEXT, OPTIONAL_URL, POSITIVE, \
    POSITIVE_WHOLE, TEXT, one_of

PROFILES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config", "profiles")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

SCHEMA = {
    "description": (TEXT[0], "a sentence saying what this profile targets"),
    "target": one_of("embedded", "remote"),
    "protected": BOOL,
    "aws": {
        "endpoint": OPTIONAL_URL,
        "region": (TEXT[0], "an AWS region name"),
        "access_key_id": (OPTIONAL_TEXT[0], "a key id, or empty for the default AWS chain"),
        "secret_access_key": (OPTIONAL_TEXT[0], "a secret, or empty for the default AWS chain"),
    },
    "stack": {
        "state_file": (TEXT[0], "a path"),
        "idle_timeout_s": POSITIVE,
        "max_edit_tasks": POSITIVE_WHOLE,
    },
    "polling": {
        "interval_s": (lambda v: POSITIVE[0](v) and v <= 5, "a number of seconds above 0, at most 5"),
    },
    "cost_limit_usd": (NOT_NEGATIVE[0], "a number of US dollars"),
    # What each @costly scenario is estimated to spend on this target, by its id tag (the run gate).
    "costly": COSTLY,
    "costs": {
        "run_limit_usd": POSITIVE,
        "publish_metrics": BOOL,
        "metrics_namespace": (TEXT[0], "a CloudWatch namespace"),
        "report_file": (TEXT[0], "a path for the run's cost report (JSON)"),
    },
}
OPTIONAL = {"aws", "aws.endpoint", "aws.access_key_id", "aws.secret_access_key", "stack", "costs", "costly"}


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
    """Named limits, looked up by the words a step uses ("cold start" finds `cold_start`)."""

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


def _areas():
    from support.areas import AREAS  # the areas import this module: resolved at call time
    return AREAS


def _schema():
    return {**SCHEMA, **{area.name: area.schema for area in _areas()}}


def _optional():
    return OPTIONAL | {area.name for area in _areas()} | {
        f"{area.name}.{key}" for area in _areas() for key in area.optional}


# -- Reading: extends, environment variables ---------------------------------------------------


def profile_path(name):
    if os.sep in name or name.endswith(".yaml"):
        return name
    return os.path.join(PROFILES_DIR, f"{name}.yaml")


def _read(name, seen=()):
    """(data, origins): the profile merged over what it extends; origins maps a key to its file."""
    path = profile_path(name)
    source = os.path.relpath(path)
    if not os.path.exists(path):
        known = ", ".join(sorted(f[:-5] for f in os.listdir(PROFILES_DIR) if f.endswith(".yaml")))
        raise ProfileError(f"{source}: no such profile (profiles: {known})")
    if source in seen:
        raise ProfileError(f"{source}: 'extends' goes round in a circle: {' → '.join((*seen, source))}")
    try:
        with open(path) as handle:
            raw = yaml.safe_load(handle) or {}
    except yaml.YAMLError as error:
        raise ProfileError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: the file must be a mapping")
    parent_name = raw.pop("extends", None)
    own = _origins(raw, source)
    if parent_name is None:
        return raw, own
    if not isinstance(parent_name, str):
        raise ProfileError(f"{source}: key 'extends' must name another profile")
    parent_path = profile_path(parent_name)
    if not os.path.isabs(parent_path) and os.sep in parent_name:
        parent_path = os.path.join(os.path.dirname(path), parent_name)
    data, origins = _read(parent_path, (*seen, source))
    return _merge(data, raw), {**origins, **own}


def _origins(data, source, prefix=""):
    found = {}
    for key, value in data.items():
        found[prefix + str(key)] = source
        if isinstance(value, dict):
            found.update(_origins(value, source, f"{prefix}{key}."))
    return found


def _where(origins, source):
    """Finds the file a dotted key came from: its own entry, else its nearest parent's."""
    def where(key):
        while key:
            if key in origins:
                return origins[key]
            key = key.rpartition(".")[0]
        return source
    return where


def _merge(base, override):
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


@dataclass(frozen=True)
class Variable:
    """An environment variable a profile reads: where, with what default (None: it must be set)."""

    name: str
    key: str
    source: str
    default: str = None

    @property
    def missing(self):
        return self.default is None and self.name not in os.environ


def _interpolate(value, where, key, seen=None):
    """`value` with every ${VAR} filled in. With `seen` (a list), every variable read is recorded
    there and a missing one reads as empty instead of stopping at the first (for `make plan`)."""
    if isinstance(value, dict):
        return {k: _interpolate(v, where, f"{key}.{k}" if key else k, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, where, key, seen) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match):
        name, default = match.group(1), match.group(2)
        if seen is not None:
            seen.append(Variable(name, key, where(key), default))
        if os.environ.get(name) or (name in os.environ and default is None):
            return os.environ[name]
        if default is not None:  # as in the shell, `${X:-default}` takes the default when X is empty
            return default
        if seen is not None:  # make plan lists every missing variable, not only the first
            return ""
        raise ProfileError(f"{where(key)}: key '{key}' needs the environment variable {name}, which is not set")

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


# -- Validation ----------------------------------------------------------------------------------


def _validate(data, schema, where, optional, allow_stack, prefix=""):
    if not isinstance(data, dict):
        raise ProfileError(f"{where(prefix.rstrip('.'))}: '{prefix.rstrip('.') or 'the file'}' must be a mapping")
    for key in data:
        if key not in schema:
            raise ProfileError(f"{where(prefix + str(key))}: unknown key '{prefix}{key}' "
                               f"(known: {', '.join(sorted(schema))})")
    for key, rule in schema.items():
        path = prefix + key
        value = data.get(key)
        if value is None:
            if path in optional:
                continue
            raise ProfileError(f"{where(path)}: missing key '{path}'")
        if value == FROM_STACK:
            if allow_stack:
                continue
            raise ProfileError(f"{where(path)}: key '{path}' is 'from_stack', but this profile's target has no "
                               "embedded stack")
        if isinstance(rule, dict):
            _validate(value, rule, where, optional, allow_stack, path + ".")
            continue
        check, expected = rule
        try:
            ok = check(value)
        except ValueError as error:  # a check that knows better than `expected` says what is wrong
            raise ProfileError(f"{where(path)}: key '{path}': {error}") from None
        if not ok:
            raise ProfileError(f"{where(path)}: key '{path}' is {value!r}; expected {expected}")


def _mentions_stack(value):
    if isinstance(value, dict):
        return any(_mentions_stack(inner) for inner in value.values())
    return value == FROM_STACK


def _fill_from_stack(data, state, path=""):
    """Every 'from_stack' value in `data`, taken from `state` at the same key path."""
    if data == FROM_STACK:
        if state is None:
            raise ProfileError(f"key '{path}' is 'from_stack' but the running stack's state file has no "
                               f"'{path}'; stop it (python -m stack down) so that a current one starts")
        return state
    if not isinstance(data, dict):
        return data
    state = state if isinstance(state, dict) else {}
    return {key: _fill_from_stack(value, state.get(key), f"{path}.{key}" if path else key)
            for key, value in data.items()}


# -- The profile ---------------------------------------------------------------------------------


class Profile:
    def __init__(self, name, data, source, origins):
        self.name = name
        self.data = data
        self.source = source
        self.origins = origins
        sections = [self.area(area) for area in self.areas]
        self.budgets = Budgets(self._gather("budgets", sections), source)
        self.limits = Budgets(self._gather("limits", sections), source, unit="")

    def _gather(self, key, sections):
        gathered = {}
        for section in sections:
            found = section.get(key)
            for name, value in (found.items() if isinstance(found, dict) else ()):
                if name in gathered:
                    raise ProfileError(f"{self.where(key)}: {key[:-1]} '{name}' is named by two areas; "
                                       "give each a distinct name")
                gathered[name] = value
        return gathered

    def __getitem__(self, key):
        return self.data[key]

    def where(self, key):
        """The file a key's value came from (a profile that extends another names the right one)."""
        return _where(self.origins, self.source)(key)

    @property
    def embedded(self):
        return self.data["target"] == "embedded"

    @property
    def areas(self):
        """The areas this profile describes a target for, in the registry's order."""
        return [area.name for area in _areas() if self.data.get(area.name)]

    def area(self, name):
        return self.data[name]

    @property
    def interval(self):
        return self.data["polling"]["interval_s"]

    def with_stack(self, state):
        """This profile with every 'from_stack' value filled from the embedded stack's state.

        A section the running stack does not publish (an area it was not started with) is left out:
        this run cannot reach it."""
        kept = {key: value for key, value in self.data.items() if key in state or not _mentions_stack(value)}
        try:
            data = _fill_from_stack(kept, state)
        except ProfileError as error:
            raise ProfileError(f"{self.source}: {error}") from None
        _validate(data, _schema(), self.where, _optional(), allow_stack=False)
        return Profile(self.name, data, self.source, self.origins)


def _without_absent_areas(data, where, seen=None):
    """An area section whose `presence` key comes out empty is switched off, so a target without
    that system needs none of its variables (its scenarios are skipped with the reason)."""
    kept = dict(data)
    for area in _areas():
        section = data.get(area.name)
        if isinstance(section, dict) and area.presence:
            if _interpolate(section.get(area.presence), where, f"{area.name}.{area.presence}", seen) is None:
                kept.pop(area.name)
    return kept


def read_leniently(name):
    """(data, variables, source) of a profile without validating it or stopping at a missing
    variable: what `make plan` shows. `data` holds None where a variable is missing; `variables`
    lists every variable the profile reads for the areas it has (missing ones say so)."""
    raw, origins = _read(name)
    source = os.path.relpath(profile_path(name))
    where = _where(origins, source)
    seen = []
    data = _interpolate(_without_absent_areas(raw, where, seen), where, "", seen)
    unique = {(variable.name, variable.key): variable for variable in seen}
    return data, list(unique.values()), source


def load_profile(name):
    raw, origins = _read(name)
    source = os.path.relpath(profile_path(name))

    where = _where(origins, source)
    data = _interpolate(_without_absent_areas(raw, where), where, "")
    embedded = data.get("target") == "embedded"
    _validate(data, _schema(), where, _optional(), allow_stack=embedded)
    if embedded and not data.get("stack"):
        raise ProfileError(f"{source}: missing key 'stack' (an embedded target needs it)")
    profile = Profile(os.path.basename(profile_path(name))[:-5], data, source, origins)
    for area in _areas():
        if area.name in profile.areas:
            area.check_profile(profile)
    return profile
