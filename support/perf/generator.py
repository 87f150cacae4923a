"""An open-model load generator: arrivals follow a fixed schedule, whatever the system does.

A closed loop (send, wait for the answer, send the next) slows down when the system does, so the
slow period produces fewer samples and the percentiles look better than what users saw
(coordinated omission). Here every arrival has a planned start; its latency is measured from that
plan, not from when the request finally left, and a generator that could not keep to its plan
says so: the run is invalid rather than a result.

Pacing uses the event loop's timer (`call_at`), so nothing sleeps; each arrival is its own task on
one shared aiohttp connection pool. Memory is fixed: HDR histograms and counters, no per-request
records unless the caller keeps some in `on_answer`.
"""
import asyncio
import collections
import time
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

from support.perf.timings import Rate, Trend

# The schedule starts this long after `run` is called, so setting up is not counted as lag.
START_DELAY_S = 0.05
# A request this close to its slot is sent in the current tick instead of arming another timer.
TICK_SLACK_S = 0.0002
# Every plan is bounded: no scenario or benchmark may ask for more than this.
MAX_ARRIVALS = 1_000_000


class InvalidRun(AssertionError):
    """The generator did not keep to its schedule; the numbers describe the generator, not the system."""


@dataclass(frozen=True)
class Plan:
    """`count` arrivals, `rate` per second from the start (rate None: all at once, a burst)."""

    count: int
    rate: float = None

    def __post_init__(self):
        if not isinstance(self.count, int) or not 0 < self.count <= MAX_ARRIVALS:
            raise ValueError(f"a plan needs 1 to {MAX_ARRIVALS:,} arrivals, not {self.count!r}")
        if self.rate is not None and not self.rate > 0:
            raise ValueError(f"an arrival rate must be above 0 per second, not {self.rate!r}")

    @classmethod
    def steady(cls, rate, duration_s):
        if not duration_s > 0:
            raise ValueError(f"a steady plan needs a duration above 0 s, not {duration_s!r}")
        return cls(max(1, round(rate * duration_s)), rate)

    @classmethod
    def burst(cls, size):
        return cls(size)

    def offset(self, index):
        return 0.0 if self.rate is None else index / self.rate

    @property
    def duration_s(self):
        return self.offset(self.count - 1)


@dataclass(frozen=True)
class Validity:
    """When a run counts: the achieved rate's share of the plan, and the worst tolerable dispatch lag."""

    min_rate_share: float = 0.98
    max_lag_ms: float = 100.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    json: object = None


@dataclass
class GeneratorRun:
    plan: Plan
    validity: Validity
    started_epoch: float = None
    latency: Trend = field(default_factory=Trend)  # from the planned start: what a user waited
    service: Trend = field(default_factory=Trend)  # from the actual send: what the system took
    lag: Trend = field(default_factory=Trend)  # from the planned start to the actual send
    failed: Rate = field(default_factory=Rate)
    answers: collections.Counter = field(default_factory=collections.Counter)
    dispatched: int = 0
    skipped: int = 0
    unfinished: int = 0
    last_dispatch_s: float = 0.0
    elapsed_s: float = 0.0

    @property
    def achieved_rate(self):
        """Arrivals per second actually sent, over the plan's slots (n arrivals fill n/rate seconds)."""
        if self.plan.rate is None or not self.dispatched:
            return None
        return self.dispatched / (self.last_dispatch_s + 1 / self.plan.rate)

    @property
    def problems(self):
        """Why the run is invalid; empty when the generator kept to its plan."""
        found = []
        if self.plan.rate is not None and self.achieved_rate is not None:
            share = self.achieved_rate / self.plan.rate
            if share < self.validity.min_rate_share:
                found.append(f"achieved {self.achieved_rate:,.1f}/s, {share:.1%} of the planned {self.plan.rate:,g}/s "
                             f"(at least {self.validity.min_rate_share:.0%} needed)")
        worst = self.lag.percentile(99)
        if worst is not None and worst > self.validity.max_lag_ms:
            found.append(f"p99 dispatch lag {worst:,.1f} ms exceeds {self.validity.max_lag_ms:g} ms")
        if self.skipped:
            found.append(f"{self.skipped} arrival(s) not sent because the in-flight limit was reached")
        return found

    @property
    def valid(self):
        return not self.problems

    def require_valid(self):
        if not self.valid:
            raise InvalidRun("invalid run, the generator fell behind its plan: " + "; ".join(self.problems))
        return self

    def summary(self):
        return {
            "planned": self.plan.count,
            "planned_rate": self.plan.rate,
            "dispatched": self.dispatched,
            "achieved_rate": None if self.achieved_rate is None else round(self.achieved_rate, 2),
            "skipped": self.skipped,
            "unfinished": self.unfinished,
            "elapsed_s": round(self.elapsed_s, 3),
            "valid": self.valid,
            "problems": self.problems,
            "latency_ms": self.latency.summary(),
            "service_ms": self.service.summary(),
            "dispatch_lag_ms": self.lag.summary(),
            "answers": {str(key): value for key, value in sorted(self.answers.items(), key=str)},
        }


class OpenModelGenerator:
    """Sends `request_for(i)` to `base_url` for every arrival of `plan`; see the module docstring.

    `on_answer(index, planned_epoch, status, body)` sees every answer (status None when there was
    none). The whole run ends at the plan's duration plus `timeout_s`; requests still open then are
    cancelled and counted as failed.
    """

    def __init__(self, base_url, plan, request_for, validity=Validity(), timeout_s=30.0, max_in_flight=1000,
                 on_answer=None):
        self.base_url = base_url.rstrip("/")
        self.plan, self.validity = plan, validity
        self.request_for = request_for
        self.timeout_s = timeout_s
        self.max_in_flight = max_in_flight
        self.on_answer = on_answer

    def run(self):
        """Blocking: runs the plan on a fresh event loop and returns the GeneratorRun."""
        return asyncio.run(self.run_async())

    async def run_async(self):
        connector = aiohttp.TCPConnector(limit=self.max_in_flight, limit_per_host=self.max_in_flight)
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        # No cookies and no decompression: the generator measures the system, not its own parsing.
        async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar(),
                                         auto_decompress=False) as session:
            return await _Pacer(self, session).run()


class _Pacer:
    """One run's state: the next arrival, what is in flight, and what was measured."""

    def __init__(self, generator, session):
        self.g, self.session = generator, session
        self.loop = asyncio.get_running_loop()
        self.result = GeneratorRun(generator.plan, generator.validity)
        self.in_flight = set()
        self.next = 0
        self.t0 = None
        self.all_sent = self.loop.create_future()
        self.urls = {}

    async def run(self):
        self.t0 = self.loop.time() + START_DELAY_S
        self.result.started_epoch = time.time() + START_DELAY_S
        self.loop.call_at(self.t0, self._tick)
        await self.all_sent
        if self.in_flight:
            deadline = self.t0 + self.g.plan.duration_s + self.g.timeout_s
            _, pending = await asyncio.wait(set(self.in_flight), timeout=max(0.0, deadline - self.loop.time()))
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        self.result.elapsed_s = self.loop.time() - self.t0
        return self.result

    def _tick(self):
        plan, now = self.g.plan, self.loop.time()
        while self.next < plan.count and self.t0 + plan.offset(self.next) <= now + TICK_SLACK_S:
            self._dispatch(self.next, self.t0 + plan.offset(self.next))
            self.next += 1
        if self.next < plan.count:
            self.loop.call_at(self.t0 + plan.offset(self.next), self._tick)
        elif not self.all_sent.done():
            self.all_sent.set_result(None)

    def _dispatch(self, index, planned):
        if len(self.in_flight) >= self.g.max_in_flight:
            self.result.skipped += 1
            self.result.failed.record(True)
            return
        task = self.loop.create_task(self._one(index, planned))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def _one(self, index, planned):
        sent = self.loop.time()
        result = self.result
        result.dispatched += 1
        result.last_dispatch_s = max(result.last_dispatch_s, sent - self.t0)
        result.lag.record((sent - planned) * 1000)
        request = self.g.request_for(index)
        status, body, outcome = None, b"", "no answer"
        try:
            async with self.session.request(request.method, self._url(request.path), json=request.json) as response:
                body = await response.read()
                status = response.status
            outcome = status
        except asyncio.CancelledError:
            result.unfinished += 1
            outcome = "unfinished"
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            outcome = type(error).__name__
        finally:
            done = self.loop.time()
            result.latency.record((done - planned) * 1000)
            result.service.record((done - sent) * 1000)
            result.failed.record(status is None or status >= 400)
            result.answers[outcome] += 1
        if self.g.on_answer:
            self.g.on_answer(index, result.started_epoch + (planned - self.t0), status, body)

    def _url(self, path):
        """Parsed once per path: at thousands of requests a second, URL parsing is a real cost."""
        url = self.urls.get(path)
        if url is None:
            url = self.urls[path] = URL(self.g.base_url + path, encoded=True)
        return url
