"""Named, realistic defects the stack can be started with, to prove that the suite notices them.

`STACK_FAULTS=a,b python -m stack up` switches faults on; every service reads the active set from
the stack's settings file, so a fault is a property of one stack run and never of one request.
"""
import os

FAULTS = {
    "session_not_recorded": "Hermes answers an activation but never writes the session item",
    "no_scale_up": "Hermes never raises the edit service's desired count",
    "preview_not_served": "the load balancer answers 404 for every session path",
    "preview_not_rebuilt": "the edit worker commits the change but serves the previous build",
    "instruction_not_applied": "the edit worker commits without changing the workspace",
    "preview_not_published": "the edit worker builds the site but never uploads it to the preview bucket",
    "build_stage_not_logged": "the edit worker builds without writing its build-complete log line",
    "unknown_instruction_reported_done": "the edit worker reports an instruction it did not understand as done",
    "failed_instruction_committed": "the edit worker commits to the workspace even when the instruction failed",
    "workspace_not_persisted": "the edit worker edits a scratch copy, not the persistent workspace",
    "idle_shutdown_disabled": "idle sessions expire but the edit service is never scaled back down",
    "session_never_expires": "idle sessions are shut down but their status stays active",
    "malformed_activation_accepted": "Hermes accepts activations with missing or malformed details",
    "refused_activation_leaves_session": "Hermes records the session before validating, then refuses",
}


class UnknownFault(ValueError):
    pass


def parse(spec):
    """Turns `a,b` into a set of fault names, refusing names nobody implements."""
    names = {name.strip() for name in (spec or "").split(",") if name.strip()}
    unknown = sorted(names - FAULTS.keys())
    if unknown:
        raise UnknownFault(
            f"unknown fault(s) {', '.join(unknown)} in STACK_FAULTS; known: {', '.join(sorted(FAULTS))}"
        )
    return names


def from_environment():
    return parse(os.environ.get("STACK_FAULTS", ""))


def active(settings, name):
    """True when the stack was started with fault `name`; asserts the name is a known fault."""
    assert name in FAULTS, f"fault {name!r} is not declared in stack/faults.py"
    return name in settings.get("faults", ())
