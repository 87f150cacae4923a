"""The guardian's speed through its operations API: the seed's latency targets as budgets, measured
one operation after another into an HDR histogram, and throughput as an open-model load.

Only what the operations API serves can be measured from outside: the seed's library-internal
targets (a cached nonce load under 0.1 ms) have no HTTP equivalent and are out of reach here.
"""
import secrets
import time
from dataclasses import dataclass

from support import reporting
from support.config import Budget
from support.perf.generator import OpenModelGenerator, Plan, Request
from support.perf.timings import Trend

# A window query is measured over a window this full, as a rule's reviewer reads it.
WINDOW_EVENTS = 20
# Events are offered a quarter faster than the sustained target: completions are counted from the
# first slot to the last answer, so a guardian that only just keeps up with the target itself would
# measure a hair under it.
OFFER_FACTOR = 1.25
SMOKE_NOTE = ("the target is an emulator: these timings are a smoke check of the suite's measurement, "
              "not of the guardian's speed (staging gives the real figures)")


@dataclass
class Measured:
    operation: str
    trend: Trend
    #: the machine's outside load while it was measured (support/perf/host.py), where the guardian runs here
    host: object = None

    def invalid(self, what, measured, limit):
        """"invalid run, …" when a time over its budget is explained by other work on a busy machine."""
        return self.host.invalid([(what, measured, limit, measured <= limit)], pass_stands=True) if self.host else None

    @property
    def mean_s(self):
        return self.trend.aggregate("avg") / 1000

    @property
    def p95_s(self):
        return self.trend.percentile(95) / 1000


class Speed:
    """Measures against one deployment; every operation's ids carry the scenario's own rule."""

    def __init__(self, guardian, work, rule_id, host=None):
        self.guardian, self.work, self.rule_id, self.host = guardian, work, rule_id, host
        self.client = guardian.client
        self._counter = 0
        text, _, self.patterns = work.secret_text(2)
        self.text = text
        self.operations = {
            "recording an event": self._record,
            "redacting a text": self._redact,
            "reading a rule's window": self._window,
            "the whole false-positive workflow": self._workflow,
        }

    def _event_id(self):
        self._counter += 1
        return f"perf-{self._counter}-{secrets.token_hex(3)}"

    def _record(self):
        self.work.record(self.rule_id, self._event_id()).answer.ok("recording an event")

    def _redact(self):
        self.client.redact(self.text, self.patterns, attach=False).ok("redacting")

    def _window(self):
        self.client.window(self.rule_id, count=WINDOW_EVENTS).ok("reading the window")

    def _workflow(self):
        """What a review is end to end: record, mark as a false positive, read the window and the finding."""
        event_id = self._event_id()
        self.work.record(self.rule_id, event_id).answer.ok("recording an event")
        finding = self.work.finding_of(self.rule_id, event_id)
        self.client.mark_false_positive(finding, "perf-reviewer").ok("marking")
        self.client.window(self.rule_id, count=WINDOW_EVENTS).ok("reading the window")
        self.client.finding(finding, self.rule_id).ok("reading the finding")

    def measure(self, operation, samples):
        if operation not in self.operations:
            raise KeyError(f"no operation called {operation!r}; known: {', '.join(self.operations)}")
        if operation == "reading a rule's window":
            for _ in range(WINDOW_EVENTS):
                self._record()
        run = self.operations[operation]
        run()  # the first call opens connections; it is not what a steady client sees
        trend = Trend()
        host = self.host.start() if self.host else None
        for _ in range(samples):
            started = time.perf_counter()
            run()
            trend.record((time.perf_counter() - started) * 1000)
        reading = host.stop() if host else None
        reporting.attach_json(f"{operation}: {samples} samples (ms)",
                              {**trend.summary(), "host": reading.summary() if reading else None})
        return Measured(operation, trend, reading)

    def _events(self, plan):
        def request_for(index):
            body = self.work.event(self.rule_id, f"load-{index}-{secrets.token_hex(3)}")
            return Request("POST", "/fp-events", body)

        run = OpenModelGenerator(self.client.base_url, plan, request_for, timeout_s=30).run()
        reporting.attach_json("recorded events under load", run.summary())
        return run

    def sustained(self, rate, duration_s):
        """Events offered steadily above `rate` for `duration_s`: recorded events per second, from the
        first slot to the last answer."""
        run = self._events(Plan.steady(rate * OFFER_FACTOR, duration_s)).require_valid()
        return run.answers.get(201, 0) / run.elapsed_s, run

    def burst(self, size):
        """`size` events at once: recorded events per second until the last answer."""
        run = self._events(Plan.burst(size))
        return run.answers.get(201, 0) / run.elapsed_s, run


def throughput_budget(budgets, name):
    """Throughput budgets are operations per second, not seconds."""
    budget = budgets[name]
    return Budget(budget.name, budget.limit, "operations/s")


def note_smoke(smoke_only):
    if smoke_only:
        reporting.note(SMOKE_NOTE)
