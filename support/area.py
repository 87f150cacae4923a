"""What every area of the suite provides, so that `environment.py` can treat them all alike.

An area is one system under test (preview, studio, guardian, gateway). It lives in
`support/<area>/` (this interface, its clients, waits, sweep, costs and diagnosis),
`steps/<area>_steps.py`, `features/<area>/`, `stack/<area>/` and one profile section `<area>:`.
`environment.py` calls these hooks only for the areas a run selects (by its tags and by the
sections its profile has); an area that is not selected is neither preflighted, started, costed
nor swept.
"""


class Area:
    """Base class: the defaults are "nothing to do", so an area implements only what it has."""

    #: the profile section, the feature folder and the feature tag (`@<name>`)
    name = ""
    #: the area's name in the report (its Allure epic) and in the living documentation
    title = ""
    #: the embedded stack's areas this one needs started (`python -m stack serve --areas ...`)
    stack_areas = ()
    #: the profile section's validation rules (see support/config.py for the rule format)
    schema = {}
    #: keys of the section that may be absent or empty
    optional = frozenset()
    #: a key of the section that, when it comes out empty, means the target has no such system
    #: (the section is dropped and the area's scenarios are skipped with that reason)
    presence = None

    def check_profile(self, profile):
        """Checks that span several keys of the section; raises support.config.ProfileError."""

    def clients(self, profile, run, userdata):
        """Everything the area's steps use, built once per run; each becomes an attribute of the
        behave context under its key (e.g. {"gateway": GatewayClient(...)})."""
        return {}

    def capabilities(self, clients):
        """What this target can do for the area (`@use.with_capability=X` skips without X)."""
        return set()

    def absent_capabilities(self, section):
        """Capabilities the profile's section already says the target lacks (an optional key left
        empty), known before any client exists: `make plan` and the run's cost gate skip by them."""
        return set()

    def preflight(self, clients):
        """Raises support.preflight.TargetUnreachable with one clear message when the area's
        target cannot be used at all (unreachable endpoint, refused credentials)."""

    def before_scenario(self, clients, scenario):
        """Starts whatever the area measures per scenario (its cost meter)."""

    def after_scenario(self, clients, scenario):
        """Returns the scenario's cost (support.costs.ScenarioCost) or None."""
        return None

    def diagnose(self, clients, scenario):
        """A snapshot of the state that explains a failed scenario (a dict), or None."""
        return None

    def sweep(self, clients, prefix):
        """Removes what names start with `prefix`; returns {what: how many}."""
        return {}

    def after_run(self, clients, console):
        """The area's end-of-run summary (a cost table, a load report); raises to fail the run."""

    def close(self, clients):
        """Releases connections and threads."""
