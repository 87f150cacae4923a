"""The composition root: profile, embedded stack, the selected areas' hooks, and the run's files.

Nothing here knows any one area: each is a package in support/ (support/area.py says what it
provides) and support/areas.py lists them. Sections: configuration, fixtures, hooks.
"""
import os

from behave.tag_matcher import ActiveTagMatcher, ValueObject

from support import reporting, waits
from support.areas import BY_NAME, area_of, areas_needed, selected_scenarios
from support.aws import AwsClients
from support.config import load_profile
from support.costs import RunAccount
from support.embedded import EmbeddedStack
from support.plan import cost_gate
from support.preflight import TargetUnreachable
from support.rules import FROM_STACK
from support.run import Run

# -- Configuration -------------------------------------------------------------------------------


def _profile_name(context):
    return context.config.userdata.get("profile") or os.environ.get("ACCEPTANCE_PROFILE") or "local"


class _Capabilities(ValueObject):
    """Matches `@use.with_capability=X` when the target has capability X."""

    def matches(self, tag_value):
        return tag_value in self.value


class _EveryCapability(ActiveTagMatcher):
    """Each `@use.with_capability` tag of a scenario names a capability it needs, and it needs all of
    them (behave's own rule for several tags of one category is "any of them")."""

    def is_tag_group_enabled(self, group_category, group_tag_pairs):
        return all(super(_EveryCapability, self).is_tag_group_enabled(group_category, [pair])
                   for pair in group_tag_pairs)


def _skip_reason(context, scenario):
    """Why this scenario cannot run on this target, or None."""
    tags = scenario.effective_tags
    area = area_of(tags)
    if area and area.name not in context.profile.areas:
        return (f"profile '{context.profile.name}' has no {area.name} target "
                f"(no '{area.name}' section in {context.profile.source}, or its {area.presence} is empty)")
    if context.active_tags.should_exclude_with(tags):
        needed = {tag.split("=", 1)[1] for tag in tags if tag.startswith("use.with_capability=")}
        return f"the target lacks {', '.join(sorted(needed - context.capabilities)) or 'a capability this scenario needs'}"
    if "destructive" in tags and context.profile["protected"] \
            and context.config.userdata.get("allow_destructive") != "yes":
        return (f"@destructive on protected profile '{context.profile.name}'; "
                "run with -D allow_destructive=yes to allow it")
    return None


# -- Fixtures ------------------------------------------------------------------------------------


def _start_target(context, profile, areas):
    """Starts (or attaches to) the embedded stack with the areas' services; fills 'from_stack'."""
    context.stack = None
    stack_areas = sorted({name for area in areas for name in area.stack_areas})
    if not profile.embedded or not stack_areas:
        return profile, None
    context.stack = EmbeddedStack(profile["stack"])
    state = context.stack.start_or_attach(stack_areas)
    how = "attached to" if context.stack.attached else "started"
    reporting.console(f"embedded stack {how} in {state['start_seconds']:.2f} s with areas "
                      f"{', '.join(state['areas']) or 'none'}; faults: {', '.join(state['faults']) or 'none'}")
    return profile.with_stack(state), state


def _open_areas(context, areas):
    """Builds each selected area's clients once, checks its target, and puts them on the context."""
    context.areas = {}
    for area in areas:
        clients = area.clients(context.profile, context.run, context.config.userdata)
        context.areas[area.name] = clients
        try:
            area.preflight(clients)
        except TargetUnreachable as problem:
            raise TargetUnreachable(f"profile '{context.profile.name}' ({context.profile.source}), "
                                    f"{area.name}: {problem}") from None
        for key, client in clients.items():
            if hasattr(context, key):
                raise RuntimeError(f"two areas both name a client '{key}'; rename one")
            setattr(context, key, client)


def _account(profile):
    costs = profile.data.get("costs")
    if not costs:
        return None
    # An embedded target whose AWS this run did not start (none of its areas selected) has nowhere to publish.
    aws = profile.data.get("aws")
    reachable = aws and aws.get("endpoint") != FROM_STACK
    cloudwatch = AwsClients(aws)("cloudwatch") if costs["publish_metrics"] and reachable else None
    return RunAccount(costs, profile.name, cloudwatch)


def _each_area(context, hook, *args):
    """Calls `hook` of every open area; one area's failure does not stop the others'."""
    errors = []
    for name, clients in getattr(context, "areas", {}).items():
        try:
            getattr(BY_NAME[name], hook)(clients, *args)
        except Exception as error:  # noqa: BLE001 - every area must get its turn; errors are raised after
            errors.append(f"{name}.{hook}: {type(error).__name__}: {error}")
    return errors


# -- Hooks ---------------------------------------------------------------------------------------


def before_all(context):
    profile = load_profile(_profile_name(context))
    cost_gate(selected_scenarios(context._runner.features, context.config), profile, context.config.userdata)
    context.run = Run()
    needed = areas_needed(context._runner.features, context.config)
    areas = [area for area in needed if area.name in profile.areas]
    context.profile, state = _start_target(context, profile, areas)
    context.budgets = context.profile.budgets
    _open_areas(context, areas)
    capabilities = set().union(*(BY_NAME[name].capabilities(clients) for name, clients in context.areas.items()))
    context.capabilities = capabilities
    context.active_tags = _EveryCapability({"capability": _Capabilities(capabilities)})
    context.account = _account(context.profile)
    reporting.write_run_files(reporting.results_dir(), context.profile, state, context.run.id)
    reporting.console(f"run {context.run.id} on profile '{context.profile.name}' ({context.profile['description']}); "
                      f"areas: {', '.join(context.areas) or 'none'}")


def before_feature(context, feature):
    if context.active_tags.should_exclude_with(feature.tags):
        feature.skip(reason=context.active_tags.exclude_reason)


def before_scenario(context, scenario):
    reason = _skip_reason(context, scenario)
    if reason:
        scenario.skip(reason=reason)
        return
    waits.observed.clear()
    area = area_of(scenario.effective_tags)
    if area:
        area.before_scenario(context.areas[area.name], scenario)


def after_scenario(context, scenario):
    area = area_of(scenario.effective_tags)
    if scenario.status.name != "skipped" and area and area.name in context.areas:
        clients = context.areas[area.name]
        if scenario.status.name in ("failed", "error"):
            snapshot = area.diagnose(clients, scenario)
            if snapshot:
                reporting.attach_json(f"{area.name} state at failure", snapshot)
                reporting.console(f"      {area.name} state at failure: {reporting.brief(snapshot)}")
        cost = area.after_scenario(clients, scenario)
        if cost and context.account:
            context.account.add(cost)
            reporting.attach_json("estimated cost", cost)
            reporting.note(cost.describe())
    notes = reporting.take_notes()
    if notes:
        reporting.console("".join(f"      · {line}\n" for line in notes))


def after_all(context):
    try:
        for name, clients in getattr(context, "areas", {}).items():
            removed = BY_NAME[name].sweep(clients, context.run.prefix)
            if removed:
                reporting.console(f"swept run {context.run.id} ({name}): "
                                  + ", ".join(f"{n} {what}" for what, n in removed.items()))
        errors = _each_area(context, "after_run", reporting.console)
        if getattr(context, "account", None):
            context.account.close(reporting.console)
        if errors:
            raise RuntimeError("; ".join(errors))
    finally:
        _each_area(context, "close")
        if getattr(context, "stack", None):
            context.stack.stop()
