"""Locust: site owners starting sessions, for load beyond one machine.

Each simulated site owner drives the session API through the suite's own support client
(support.preview.PreviewClient over support.http), with the profile's endpoints and budgets, so
a Locust run and a behave run exercise exactly the same calls. Every session carries the run's
TEST_ namespace and is ended (deactivated, then swept) by the user that started it.

    make locust                                    # local: a short headless master and two workers
    ACCEPTANCE_PROFILE=staging locust -f locustfile.py --master --expect-workers 4   # see README

Locust is a closed model (a user waits for its answer before its next task), which suits scale-out
and soak runs; for timings without coordinated omission use the suite's open-model generator.
"""
import os
import time

from locust import User, constant_pacing, events, task

from support import reporting, waits
from support.aws import AwsClients
from support.config import load_profile
from support.embedded import ROOT, read_state
from support.http import Http
from support.preview.sessions import ActivationRefused, PreviewClient
from support.run import Run, run_cleanups
from support.preview.workspace import workspace_for

# A site owner starts a session at most this often; at 3 s, two owners keep two of the local
# stack's three edit tasks busy.
PACING_S = float(os.environ.get("LOCUST_PACING_S", "3"))
INSTRUCTION = 'Add a new page called "Locust"'
_profile = None


def target_profile():
    """The profile (ACCEPTANCE_PROFILE, default local); a local one needs a running embedded stack."""
    global _profile
    if _profile is None:
        profile = load_profile(os.environ.get("ACCEPTANCE_PROFILE", "local"))
        if profile.embedded:
            state = read_state(os.path.join(ROOT, profile["stack"]["state_file"]))
            if not state:
                raise RuntimeError("no embedded stack is running; `make locust` starts one, or run `make stack`")
            profile = profile.with_stack(state)
        _profile = profile
    return _profile


class SiteOwner(User):
    wait_time = constant_pacing(PACING_S)

    def on_start(self):
        profile = target_profile()
        self.http = Http(profile.area("preview")["endpoints"]["load_balancer"])
        aws = AwsClients(profile)
        self.preview = PreviewClient(self.http, aws, profile, workspace_for(profile, aws), profile.interval)
        self.budgets = profile.budgets
        self.run = Run()

    def on_stop(self):
        self.http.close()

    def _record(self, name, started, error=None):
        self.environment.events.request.fire(
            request_type="session", name=name, response_time=(time.perf_counter() - started) * 1000,
            response_length=0, exception=error, context={})

    @task
    def start_a_session(self):
        """Activate, wait until the preview answers through the load balancer, then leave."""
        client_id, user_id = self.run.site_owner()
        cleanups = []
        started = time.perf_counter()
        try:
            session = self.preview.activate(client_id, user_id, INSTRUCTION,
                                            on_created=lambda end, *args: cleanups.append(("end", lambda: end(*args))))
            self._record("activate", started)
            self.preview.wait_until_ready(session, within=self.budgets["cold start"])
            self._record("session ready", started)
        except (ActivationRefused, waits.WaitTimeout) as error:
            self._record("activate" if isinstance(error, ActivationRefused) else "session ready", started, error)
        finally:
            for failure in run_cleanups(cleanups):
                self.environment.events.request.fire(request_type="session", name="end", response_time=0,
                                                     response_length=0, exception=RuntimeError(failure), context={})
            waits.observed.clear()  # outside behave nobody reads these; keep a long run's memory flat
            reporting.take_notes()


@events.init.add_listener
def _check_target(environment, **_kwargs):
    """Fails fast, on the master and each worker, when the target cannot be reached."""
    target_profile()
