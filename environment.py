"""The composition root: profile, embedded stack, clients, cleanup and the report's run files.

Sections: configuration (profile and active tags), fixtures (stack and clients), hooks.
"""
import os

from behave.tag_matcher import ActiveTagMatcher, ValueObject

from support import reporting, waits
from support.aws import AwsClients
from support.chaos import chaos_for
from support.config import load_profile
from support.costs import CostMeter
from support.email_intake import EmailClient
from support.embedded import EmbeddedStack
from support.http import Http
from support.live_reload import LiveReload
from support.mailbox import mailbox_for
from support.preflight import check_target
from support.preview import PreviewClient
from support.run import Run
from support.studio import StudioClient
from support.sweep import sweep
from support.workspace import workspace_for

# -- Configuration -------------------------------------------------------------------------------


def _profile_name(context):
    return context.config.userdata.get("profile") or os.environ.get("ACCEPTANCE_PROFILE") or "local"


class _Capabilities(ValueObject):
    """Matches `@use.with_capability=X` when the target has capability X."""

    def matches(self, tag_value):
        return tag_value in self.value


def _capabilities(chaos):
    """What this target can do; a scenario needing more is skipped with the reason."""
    return {"capability": _Capabilities({"workspace_files"} | chaos.capabilities)}


def _destructive_refused(context, tags):
    """A protected profile runs @destructive scenarios only with -D allow_destructive=yes."""
    return ("destructive" in tags and context.profile["protected"]
            and context.config.userdata.get("allow_destructive") != "yes")


# -- Fixtures ------------------------------------------------------------------------------------


def _start_target(context, profile):
    context.stack = None
    if not profile.embedded:
        return profile, None
    context.stack = EmbeddedStack(profile["stack"])
    state = context.stack.start_or_attach()
    how = "attached to" if context.stack.attached else "started"
    reporting.console(f"embedded stack {how} in {state['start_seconds']:.2f} s; "
                      f"faults: {', '.join(state['faults']) or 'none'}")
    return profile.with_stack(state), state


def _clients(context, profile):
    context.aws = AwsClients(profile)
    check_target(profile, context.aws)
    context.http = Http(profile["endpoints"]["load_balancer"])
    interval = profile["polling"]["interval_s"]
    context.workspace = workspace_for(profile)
    context.preview = PreviewClient(context.http, context.aws, profile, context.workspace, interval)
    context.email = EmailClient(context.aws, profile, context.preview, interval)
    context.mailbox = mailbox_for(profile, context.aws)
    context.costs = CostMeter(context.aws, profile)
    context.chaos = chaos_for(profile, context.aws)
    context.live_reload = LiveReload(profile["endpoints"]["load_balancer"], interval)
    # The studio is optional: a profile without it skips the @studio scenarios.
    context.studio = (StudioClient(profile, approval=context.config.userdata.get("cost_approval"))
                      if profile.data.get("studio") else None)


def _sweep_run(context):
    """Whatever a scenario's own cleanups missed goes now, by the run's prefix; the count is the proof."""
    if getattr(context, "preview", None):
        removed = sweep(context.profile, context.aws, context.workspace, context.run.prefix)
        reporting.console(f"swept run {context.run.id}: " + ", ".join(f"{n} {what}" for what, n in removed.items()))


# -- Hooks ---------------------------------------------------------------------------------------


def before_all(context):
    profile = load_profile(_profile_name(context))
    context.run = Run()
    context.profile, state = _start_target(context, profile)
    context.budgets = context.profile.budgets
    _clients(context, context.profile)
    context.active_tags = ActiveTagMatcher(_capabilities(context.chaos))
    reporting.write_run_files(reporting.results_dir(), context.profile, state, context.run.id)
    reporting.console(f"run {context.run.id} on profile '{context.profile.name}' ({context.profile['description']})")


def before_feature(context, feature):
    if context.active_tags.should_exclude_with(feature.tags):
        feature.skip(reason=context.active_tags.exclude_reason)


def before_scenario(context, scenario):
    if context.active_tags.should_exclude_with(scenario.effective_tags):
        scenario.skip(reason=context.active_tags.exclude_reason)
    elif _destructive_refused(context, scenario.effective_tags):
        scenario.skip(reason=f"@destructive on protected profile '{context.profile.name}'; "
                             "run with -D allow_destructive=yes to allow it")
    waits.observed.clear()
    context.costs.start_scenario()


def after_scenario(context, scenario):
    if scenario.status.name != "skipped":
        cost = context.costs.end_scenario(scenario.name, scenario.status.name)
        reporting.attach_json("estimated cost", cost)
        reporting.note(f"cost {cost.usd:.6f} USD: {cost.usage.container_seconds:.1f} container-seconds, "
                       f"{cost.usage.dynamodb_requests} session-store requests, {cost.usage.log_bytes} log bytes")
    notes = reporting.take_notes()
    if notes:
        reporting.console("".join(f"      · {line}\n" for line in notes))


def after_all(context):
    try:
        _sweep_run(context)
        if getattr(context, "costs", None):
            context.costs.close_run(context.preview.startups, reporting.console)
    finally:
        if getattr(context, "http", None):
            context.http.close()
        for client in ("chaos", "live_reload"):
            if getattr(context, client, None):
                getattr(context, client).close()
        if getattr(context, "stack", None):
            context.stack.stop()
