"""The run's namespace and its cleanups.

Every resource a scenario creates carries `TEST_<run id>_…`, so a run can find (and sweep) what
it made, and a later run can sweep what a killed one left behind (`TEST_` with any run id).
"""
import secrets
import time
import traceback

PREFIX = "TEST_"


def new_run_id():
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + secrets.token_hex(2)


class Run:
    def __init__(self, run_id=None):
        self.id = run_id or new_run_id()
        self.prefix = f"{PREFIX}{self.id}_"
        self._counter = 0

    def name(self, role):
        """A unique, readable name for one actor or resource of this run: TEST_<run>_<role>_<n>."""
        self._counter += 1
        return f"{self.prefix}{role}_{self._counter}"

    def site_owner(self):
        """(client id, user id) of a new site owner; the user id is an email address, as in production."""
        return self.name("client"), f"{self.name('owner')}@example.test"

    def owns(self, name):
        return isinstance(name, str) and name.startswith(self.prefix)


def run_cleanups(cleanups):
    """Runs (description, function) pairs in reverse; every one runs even if others fail."""
    failures = []
    for description, function in reversed(cleanups):
        try:
            function()
        except Exception:  # noqa: BLE001 - report every failed cleanup, never stop at the first
            failures.append(f"{description}:\n{traceback.format_exc()}")
    cleanups.clear()
    return failures
