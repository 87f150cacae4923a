"""Named, realistic defects the stack can be switched into, to prove that the suite notices them.

Each area declares its own in `stack/<area>/faults.py` (`FAULTS`, `STARTUP_ONLY`, and `control_url`:
where its service's `/control/faults` switches them). This module only merges those declarations and keeps the
active set: one small JSON file per area in the stack run's directory, written atomically by the
area's service and read by every process (edit workers too), re-read only when the file changes.
`STACK_FAULTS=a,b` at start seeds the files; a startup-only fault can be given only there.
"""
import importlib
import json
import os
from functools import cache


class UnknownFault(ValueError):
    pass


class StartupOnly(ValueError):
    pass


@cache
def _declarations():
    """{area: its faults module} for every area of stack/areas.py, refusing a name two areas declare."""
    from stack.areas import AREAS  # not at the top: an area's package may import this module
    modules = {area: importlib.import_module(f"stack.{area}.faults") for area in AREAS}
    seen = {}
    for area, module in modules.items():
        for name in module.FAULTS:
            assert name not in seen, f"fault {name!r} is declared by both {seen[name]} and {area}"
            seen[name] = area
        assert set(module.STARTUP_ONLY) <= set(module.FAULTS), f"{area}: a startup-only fault is not declared"
    return modules


def areas():
    return list(_declarations())


def declared():
    """Every fault of every area: {name: description}."""
    return {name: text for module in _declarations().values() for name, text in module.FAULTS.items()}


def area_of(name):
    return next((area for area, module in _declarations().items() if name in module.FAULTS), None)


def startup_only(name):
    """Why `name` can be given only at start, or None when it can be switched at run time."""
    return _declarations()[area_of(name)].STARTUP_ONLY.get(name)


def control_url(state, area):
    """The URL of `area`'s `/control/faults` on the stack whose state file holds `state`."""
    return _declarations()[area].control_url(state)


def _refuse_unknown(names, where):
    known = declared()
    unknown = sorted(set(names) - known.keys())
    if unknown:
        raise UnknownFault(f"unknown fault(s) {', '.join(unknown)} in {where}; known: {', '.join(sorted(known))}")


def parse(spec):
    """Turns `a,b` into a set of fault names, refusing names nobody implements."""
    names = {name.strip() for name in (spec or "").split(",") if name.strip()}
    _refuse_unknown(names, "STACK_FAULTS")
    return names


def from_environment():
    return parse(os.environ.get("STACK_FAULTS", ""))


def _path(settings, area):
    return os.path.join(settings["runtime_dir"], f"faults.{area}.json")


def _write(settings, area, names):
    path = _path(settings, area)
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "w") as handle:
        json.dump(sorted(names), handle)
    os.replace(partial, path)


def initialise(settings, names):
    """Called once by the supervisor before any service starts: the start-up set, per area."""
    _refuse_unknown(names, "STACK_FAULTS")
    for area in _declarations():
        _write(settings, area, [name for name in names if area_of(name) == area])


_cache = {}  # path -> (file identity, names)


def _read(path):
    """The names in `path`, re-read only when the file was replaced (a new inode, time or size)."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    identity = (status.st_ino, status.st_mtime_ns, status.st_size)
    cached = _cache.get(path)
    if cached and cached[0] == identity:
        return cached[1]
    with open(path) as handle:
        names = frozenset(json.load(handle))
    _cache[path] = (identity, names)
    return names


def active_in(settings, area):
    """The active faults of `area`; a stack whose files were never written has its settings' list."""
    names = _read(_path(settings, area)) if "runtime_dir" in settings else None
    if names is None:
        names = {name for name in settings.get("faults", ()) if area_of(name) == area}
    return names


def active(settings, name):
    """True when fault `name` is on in this stack run; asserts the name is a known fault."""
    area = area_of(name)
    assert area, f"fault {name!r} is not declared by any area (stack/<area>/faults.py)"
    return name in active_in(settings, area)


def switch(settings, area, names):
    """Makes `names` the run-time faults of `area` (start-up faults stay as they are); the active set."""
    names, own = set(names), _declarations()[area].FAULTS
    wrong = sorted(names - own.keys())
    if wrong:
        raise UnknownFault(f"unknown {area} fault(s) {', '.join(wrong)}; known: {', '.join(sorted(own))}")
    fixed = sorted(name for name in names if startup_only(name))
    if fixed:
        raise StartupOnly("; ".join(f"{name} can only be given at start (STACK_FAULTS): {startup_only(name)}"
                                    for name in fixed))
    kept = {name for name in active_in(settings, area) if startup_only(name)}
    _write(settings, area, kept | names)
    return sorted(kept | names)
