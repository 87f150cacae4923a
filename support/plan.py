"""What a run will do, decided before it does anything: which scenarios run and which are skipped
and why, and what the selected `@costly` scenarios are estimated to cost.

`make plan` prints it (tools/plan.py) and `environment.py` applies its cost gate in `before_all`,
so a run refuses to start exactly when its plan says it would. Everything here reads the profile
and the features only: no request goes to any target.

The cost gate protects the budget of the whole run: each `@costly` scenario's estimate is profile
data (`costly:`, keyed by its id tag), and a run whose selected estimates add up to more than
`cost_limit_usd`, or that selects a costly scenario with no estimate, needs `-D cost_approval=<ref>`.
The studio's own per-request gate (support/studio/client.py) is a behaviour of the system under
test and stays beside it.
"""
from dataclasses import dataclass, field

from support.areas import BY_NAME, area_of

COSTLY = "costly"
ID_PREFIX = "id."
CAPABILITY_PREFIX = "use.with_capability="


class RunCostRefused(RuntimeError):
    """The selected @costly scenarios are estimated over the profile's cost limit and nobody approved it."""


def scenario_id(tags):
    """A scenario's id tag (`id.<area>.<feature>.<name>`, without the @), or None."""
    return next((tag for tag in tags if tag.startswith(ID_PREFIX)), None)


class Target:
    """What a profile says about its target, from its data alone (validated or read leniently)."""

    def __init__(self, name, source, data):
        self.name, self.source, self.data = name, source, data
        self.areas = [name for name in BY_NAME if isinstance(data.get(name), dict)]
        self.protected = bool(data.get("protected"))
        self.cost_limit_usd = data.get("cost_limit_usd")
        self.estimates = data.get("costly") or {}

    @classmethod
    def of(cls, profile):
        return cls(profile.name, profile.source, profile.data)

    def absent_capabilities(self, area_name):
        return BY_NAME[area_name].absent_capabilities(self.data[area_name])


def skip_reason(tags, target, userdata):
    """Why a scenario with `tags` cannot run on `target`, or None (the run's own rules, before it starts)."""
    area = area_of(tags)
    if area and area.name not in target.areas:
        return (f"profile '{target.name}' has no {area.name} target "
                f"(no '{area.name}' section in {target.source}, or its {area.presence} is empty)")
    needed = {tag[len(CAPABILITY_PREFIX):] for tag in tags if tag.startswith(CAPABILITY_PREFIX)}
    lacking = sorted(needed & target.absent_capabilities(area.name)) if area else []
    if lacking:
        return f"the target lacks {', '.join(lacking)} (its profile leaves that empty)"
    if "destructive" in tags and target.protected and userdata.get("allow_destructive") != "yes":
        return (f"@destructive on protected profile '{target.name}'; "
                "run with -D allow_destructive=yes to allow it")
    return None


@dataclass
class Entry:
    """One selected scenario in the plan."""

    name: str
    location: str
    area: str
    id: str
    costly: bool
    reason: str = None
    usd: float = None


@dataclass
class CostCheck:
    """The run gate's arithmetic over the selected @costly scenarios that would run."""

    limit_usd: float
    source: str
    profile: str
    costly: list = field(default_factory=list)  # Entries that would run

    @property
    def total_usd(self):
        return sum(entry.usd for entry in self.costly if entry.usd is not None)

    @property
    def unknown(self):
        return [entry.id or entry.name for entry in self.costly if entry.usd is None]

    @property
    def over(self):
        return bool(self.unknown) or (self.limit_usd is not None and self.total_usd > self.limit_usd)

    def describe(self):
        return (f"{len(self.costly)} selected @costly scenario(s) estimated at ${self.total_usd:.2f} "
                f"against cost_limit_usd ${self.limit_usd or 0:.2f} of profile '{self.profile}'")

    def reasons(self):
        """Why the run needs an approval; empty when it does not."""
        why = [f"{', '.join(self.unknown)} ha{'ve' if len(self.unknown) > 1 else 's'} no estimate under 'costly:' "
               f"in {self.source}"] if self.unknown else []
        if self.limit_usd is not None and self.total_usd > self.limit_usd:
            why.append(f"the estimates add up to ${self.total_usd:.2f}, over cost_limit_usd ${self.limit_usd:.2f}")
        return why

    def refusal(self, approval):
        """The one message a refused run prints, or None when the run may start."""
        if not self.over or approval:
            return None
        return (f"the run refuses to start: {self.describe()}; {'; '.join(self.reasons())}. Approve it with "
                "-D cost_approval=<reference>, or leave the @costly scenarios out (--tags=\"not @costly\")")


def plan(scenarios, target, userdata):
    """(entries, CostCheck) for the selected `scenarios` on `target`."""
    entries = []
    for scenario in scenarios:
        tags = scenario.effective_tags
        area = area_of(tags)
        ident = scenario_id(tags)
        costly = COSTLY in tags
        entries.append(Entry(scenario.name, f"{scenario.location}", area.name if area else "no area", ident, costly,
                             skip_reason(tags, target, userdata),
                             target.estimates.get(ident) if costly and ident else None))
    check = CostCheck(target.cost_limit_usd, target.source, target.name,
                      [entry for entry in entries if entry.costly and entry.reason is None])
    return entries, check


def cost_gate(scenarios, profile, userdata):
    """Raises RunCostRefused when the selected @costly scenarios need an approval nobody gave."""
    _entries, check = plan(scenarios, Target.of(profile), userdata)
    refusal = check.refusal(userdata.get("cost_approval"))
    if refusal:
        raise RunCostRefused(refusal)
    return check
