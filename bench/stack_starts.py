"""(c) How long the embedded stack takes to start, and a session's cold and warm start on it,
measured with the same support code the performance features use."""
import os
import time

from support.aws import AwsClients
from support.config import load_profile
from support.embedded import EmbeddedStack
from support.http import Http
from support.preview.performance.starts import StartTimer
from support.preview.sessions import PreviewClient
from support.run import Run, run_cleanups
from support.preview.stages import StageReader
from support.preview.workspace import workspace_for


class BenchStack:
    """An embedded stack of the benchmark's own (private state file), with the clients to use it."""

    def __init__(self, state_dir):
        os.environ["ACCEPTANCE_STACK_STATE"] = os.path.join(state_dir, "state.json")
        profile = load_profile("local")
        self.stack = EmbeddedStack(profile["stack"])
        started = time.monotonic()
        state = self.stack.start_or_attach()
        self.wall_start_s = time.monotonic() - started
        self.own_start_s = state["start_seconds"]
        self.profile = profile.with_stack(state)
        self.http = Http(self.profile.area("preview")["endpoints"]["load_balancer"])
        aws = AwsClients(self.profile)
        interval = self.profile.interval
        self.preview = PreviewClient(self.http, aws, self.profile, workspace_for(self.profile, aws), interval)
        self.starts = StartTimer(self.preview, StageReader(aws, self.profile, interval), self.profile.budgets)

    @property
    def url(self):
        return self.profile.area("preview")["endpoints"]["load_balancer"]

    def cold_and_warm(self, cold, warm):
        cleanups = []
        try:
            return self.starts.compare(Run().site_owner, cold, warm,
                                       lambda end, *args: cleanups.append(("end", lambda: end(*args))))
        finally:
            run_cleanups(cleanups)

    def stop(self):
        self.http.close()
        self.stack.stop()
