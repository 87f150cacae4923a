"""Session load: site owners arrive on the generator's schedule and each asks for a session.

An arrival's activation is timed by the generator (from its planned arrival). Whether and when its
session started is read afterwards from the platform's own evidence: the session's instruction
outcome, and the log event of its preview upload, timed from the planned arrival. Every accepted
session is registered for cleanup the moment its answer arrives.
"""
import time
from dataclasses import dataclass, field

from support import reporting
from support.http import Answer, parse_body
from support.perf.generator import OpenModelGenerator, Request
from support.perf.timings import Measurements
from support.preview.sessions import ACTIVATE, Session
from support.preview.stages import Flow
from support.waits import WaitTimeout, eventually

SETTLED = ("done", "failed")
RESOURCE_METRICS = {"cpu_utilization", "memory_utilization"}


@dataclass
class Arrival:
    index: int
    client_id: str
    user_id: str
    planned_epoch: float = None
    answer: Answer = None
    session: Session = None
    outcome: dict = field(default_factory=dict)
    started_ms: float = None

    @property
    def started(self):
        return self.outcome.get("instructionStatus") == "done" and self.started_ms is not None


@dataclass
class LoadRun:
    load: object
    generator: object
    arrivals: list
    measurements: Measurements
    window: tuple
    #: the machine's outside load over the window (support/perf/host.py), where the target runs here
    host: object = None

    def invalid(self, metric, verdicts):
        """Why the processor-use `verdicts` of this run cannot be judged ("invalid run, ..."), or None.

        On a machine busier than its limit neither verdict can be trusted: a process doing the same
        work takes more processor time, and one that wants more than it gets reads lower; only a
        failure by more than other work can explain stands (support/perf/host.py). Memory is not
        distorted by other work."""
        upper = [verdict for verdict in verdicts if verdict.threshold.op in ("<", "<=")]
        if metric != "cpu_utilization" or self.host is None or not upper:
            return None
        return self.host.invalid([(verdict.threshold.expression, verdict.measured, verdict.threshold.value,
                                   verdict.passed) for verdict in upper], pass_stands=False)

    @property
    def refused(self):
        return [arrival for arrival in self.arrivals if not arrival.session]

    @property
    def accepted(self):
        return [arrival for arrival in self.arrivals if arrival.session]

    def details(self):
        return {
            "load": self.load.name,
            "generator": self.generator.summary(),
            "host": self.host.summary() if self.host else None,
            "window": {"start_epoch": self.window[0], "end_epoch": self.window[1]},
            "refusals": [{"status": a.answer.status, "answer": a.answer.body} for a in self.refused if a.answer],
            "sessions": [{"session": a.session.id, "outcome": a.outcome.get("instructionStatus"),
                          "start_ms": a.started_ms} for a in self.accepted],
        }


def unclear_refusals(run):
    """Every refusal (or missing answer) that is not a clear "try again" with a reason."""
    return [str(arrival.answer) for arrival in run.refused
            if arrival.answer is None or not arrival.answer.asks_to_try_again()]


class SessionLoad:
    def __init__(self, preview, stages, utilisation, settings, budgets, base_url, host=None):
        self.preview, self.stages, self.utilisation, self.host = preview, stages, utilisation, host
        self.settings, self.budgets = settings, budgets
        self.base_url = base_url

    def arrive(self, load, owners, on_created):
        """Runs `load` with one new site owner per arrival; raises InvalidRun if the generator fell behind."""
        arrivals = [Arrival(index, *owners()) for index in range(load.plan.count)]

        def request_for(index):
            arrival = arrivals[index]
            return Request("POST", ACTIVATE, {"clientId": arrival.client_id, "userId": arrival.user_id,
                                              "instruction": f'Add a new page called "Arrival {index + 1}"'})

        def on_answer(index, planned_epoch, status, body):
            arrival = arrivals[index]
            arrival.planned_epoch = planned_epoch
            arrival.answer = Answer(status, parse_body(body.decode(errors="replace")))
            if status == 201 and isinstance(arrival.answer.body, dict):
                arrival.session = Session(arrival.answer.get("sessionId"), arrival.client_id, arrival.user_id,
                                          request_for(index).json["instruction"], arrival.answer.get("previewUrl"))
                on_created(self.preview.end_session, arrival.session)

        generator = OpenModelGenerator(self.base_url, load.plan, request_for, self.settings.validity,
                                       self.settings.request_timeout_s, self.settings.max_in_flight, on_answer)
        host = self.host.start() if self.host else None
        run = generator.run().require_valid()
        self._settle([arrival for arrival in arrivals if arrival.session])
        window = (run.started_epoch, time.time())
        reading = host.stop() if host else None
        if reading:
            reporting.note(f"this machine during the run: the run's own processes {reading.own_cores:.2f} cores, other "
                           f"work {reading.outside_cores:.2f} of {reading.cores} ({reading.outside_share:.0%})")
        self._time_starts(arrivals)
        measurements = Measurements()
        measurements.metrics["activation_response"] = run.latency
        for arrival in arrivals:
            measurements.rate("session_success").record(arrival.started)
            if arrival.started:
                measurements.trend("session_start").record(arrival.started_ms)
        if load.metrics & RESOURCE_METRICS:
            usage = self.utilisation.during(*window, within=self.budgets["metrics delay"])
            for name, summary in usage.items():
                measurements.set_summary(name, summary)
        return LoadRun(load, run, arrivals, measurements, window, reading)

    def leftovers(self, run, workspace=None):
        """What the refused site owners left behind: session items, workspace files (when `workspace`
        can be read from here) and edit tasks beyond the sessions that were accepted."""
        found = []
        for arrival in run.refused:
            items = self.preview.store.sessions_of(arrival.client_id)
            if items:
                found.append(f"{arrival.client_id}: session item(s) {[item['sessionId'] for item in items]}")
            files = workspace.files(arrival.client_id, arrival.user_id, ".") if workspace else []
            if files:
                found.append(f"{arrival.client_id}: workspace files {files}")
        service = self.preview.edit_service.counts()
        if service["desired"] > len(run.accepted):
            found.append(f"the edit service wants {service['desired']} task(s) for {len(run.accepted)} session(s)")
        return found

    def _settle(self, accepted):
        """Waits until every accepted session's instruction has an outcome (or the session ended);
        a session still starting when the budget runs out counts as one that did not start."""
        def probe():
            for arrival in accepted:
                if arrival.outcome.get("instructionStatus") not in SETTLED and arrival.outcome.get("http") != 404:
                    arrival.outcome = self.preview.status(arrival.session)
            return accepted

        try:
            eventually(
                probe,
                until=lambda found: all(a.outcome.get("instructionStatus") in SETTLED
                                        or a.outcome.get("status") == "expired" or a.outcome.get("http") == 404
                                        for a in found),
                within=self.budgets["cold start"],
                describe=f"the {len(accepted)} accepted session(s) to finish starting",
                interval=self.preview.interval,
            )
        except WaitTimeout:
            late = [a.session.id for a in accepted if a.outcome.get("instructionStatus") not in SETTLED]
            reporting.note(f"{len(late)} session(s) had not started within the cold start budget: {late}")

    def _time_starts(self, arrivals):
        """Each started session's start: its preview upload's log event, from its planned arrival."""
        done = [a for a in arrivals if a.outcome.get("instructionStatus") == "done"]
        flows = [Flow(a.planned_epoch, ("upload_done",), session_id=a.session.id, thread_id=a.outcome.get("threadId"),
                      task_id=(self.preview.store.task_arn(a.session) or "").rsplit("/", 1)[-1] or None) for a in done]
        for index, at in self.stages.first_times("upload_done", flows).items():
            done[index].started_ms = at - done[index].planned_epoch * 1000
