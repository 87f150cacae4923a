"""What the performance steps call: one object per scenario, built from the profile and the
scenario's clients, that times flows and starts, runs loads, and reports every result."""
from dataclasses import dataclass

from support.perf.host import host_load

from support.perf.baseline import BaselineStore
from support.preview.performance.flow import stage_timings, time_email_flow
from support.perf.reporter import Reporter
from support.preview.performance.resources import ServiceUtilisation
from support.preview.performance.sessions import SessionLoad
from support.preview.performance.settings import PerformanceSettings
from support.preview.performance.starts import StartTimer
from support.perf.timings import Measurements
from support.preview.stages import StageReader

# The words scenarios use for what a threshold measures.
MEASURES = {
    "time for sessions to start": "session_start",
    "share of sessions that start": "session_success",
    "edit containers' processor use": "cpu_utilization",
    "edit containers' memory use": "memory_utilization",
}


@dataclass
class FlowResult:
    flow: object
    timings: list
    report: object
    #: the machine's outside load while the flow ran (support/perf/host.py), where the target runs here
    host: object = None

    def stages_invalid(self):
        """"invalid run, ..." when every stage over its budget is explained by other work on a busy
        machine (a wall-clock time measured here stretches with it); a stage not logged, or logged
        before the one before it, is a failure whatever ran beside it."""
        over = [timing for timing in self.timings if not timing.within]
        if not self.host or any(timing.seconds is None or timing.seconds < 0 for timing in over):
            return None
        return self.host.invalid([(timing.stage, timing.seconds, timing.budget.limit, False) for timing in over],
                                 pass_stands=True)

    def total_invalid(self, limit):
        total = self.flow.total()
        if not self.host or total <= limit:
            return None
        return self.host.invalid([("whole flow", total, limit, False)], pass_stands=True)


class PerformanceSuite:
    def __init__(self, profile, aws, preview, email, run):
        interval = profile.interval
        self.settings = PerformanceSettings(profile)
        self.budgets = profile.budgets
        self.preview, self.email, self.run = preview, email, run
        self.local_workspaces = profile.area("preview")["workspace"]["access"] == "local_directory"
        self.stages = StageReader(aws, profile, interval)
        baseline = self.settings.baseline
        baselines = BaselineStore(aws("s3"), baseline["bucket"], baseline["create_bucket"],
                                  baseline["regression_percent"], profile.name)
        self.reporter = Reporter(self.settings, aws("cloudwatch"), baselines, run.id)
        self.starts = StartTimer(preview, self.stages, self.budgets)
        utilisation = ServiceUtilisation(aws, profile, interval)
        self.host = host_load(profile, self.settings.section.get("host"))
        self.load = SessionLoad(preview, self.stages, utilisation, self.settings, self.budgets,
                                profile.area("preview")["endpoints"]["load_balancer"], self.host)

    def time_email_flow(self, instruction, on_created):
        host = self.host.start() if self.host else None
        flow = time_email_flow(self.email, self.preview, self.stages, self.budgets, self.run.site_owner(),
                               instruction, on_created)
        reading = host.stop() if host else None
        timings = stage_timings(flow, self.budgets)
        measurements = Measurements()
        for timing in timings:
            measurements.trend(f"stage_{timing.stage}").record(timing.seconds * 1000)
        measurements.trend("whole_flow").record(flow.total() * 1000)
        details = {"session": flow.session_id, "thread": flow.thread_id, "task": flow.task_id,
                   "stages": {timing.stage: timing.seconds for timing in timings}, "whole_flow_s": flow.total()}
        details["host"] = reading.summary() if reading else None
        return FlowResult(flow, timings, self.reporter.report("stage timings", measurements, details=details), reading)

    def compare_starts(self, on_created):
        counts = self.settings.start_times
        comparison = self.starts.compare(self.run.site_owner, counts["cold_starts"], counts["warm_starts"],
                                         on_created)
        measurements = Measurements()
        measurements.metrics.update(cold_start=comparison.cold, warm_start=comparison.warm)
        self.reporter.report("cold and warm starts", measurements, details={"warm_share": comparison.warm_share})
        return comparison

    def warm_starts(self, client_id, user_id, on_created):
        seconds = self.starts.warm_starts(client_id, user_id, self.settings.start_times["warm_starts"], on_created)
        measurements = Measurements()
        for value in seconds:
            measurements.trend("warm_start").record(value * 1000)
        self.reporter.report("warm starts", measurements)
        return seconds

    def arrive(self, load_name, on_created):
        """Runs the named load; returns (LoadRun, Report) with every threshold already evaluated."""
        load = self.settings.load(load_name)
        run = self.load.arrive(load, self.run.site_owner, on_created)
        return run, self.reporter.report(load.name, run.measurements, load.thresholds, details=run.details())


    def leftovers(self, run):
        """Workspaces are checked where this machine can read them (locally); on AWS they sit on EFS."""
        return self.load.leftovers(run, self.preview.workspace if self.local_workspaces else None)


def measure(words):
    if words not in MEASURES:
        raise KeyError(f"unknown measure {words!r}; known: {', '.join(MEASURES)}")
    return MEASURES[words]
