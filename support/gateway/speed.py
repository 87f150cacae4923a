"""How fast explanations arrive under steady load: an open model of explained and plain chats.

Arrivals follow a fixed schedule (support/perf's Plan), whatever the gateway does; each explained
chat's latency runs from its *planned* start to the moment its trace's live stream announces the
final state, so a gateway that falls behind cannot hide it (no coordinated omission). Percentiles
come from an HDR histogram (support/perf's Trend).
"""
import asyncio
import json
import math
from dataclasses import dataclass, field

import aiohttp

from support.perf.generator import START_DELAY_S, Plan
from support.perf.timings import Trend

# A run whose arrivals left later than this after their planned time measured the generator.
MAX_LAG_MS = 100.0


@dataclass
class SpeedRun:
    granularity: str
    plan: Plan
    latency: Trend = field(default_factory=Trend)
    chats: int = 0
    explained: int = 0
    outcomes: dict = field(default_factory=dict)
    worst_lag_ms: float = 0.0
    elapsed_s: float = 0.0

    @property
    def p95_s(self):
        value = self.latency.percentile(95)
        return None if value is None else value / 1000

    @property
    def completed(self):
        return self.outcomes.get("complete", 0)

    @property
    def throughput(self):
        """Explanations completed a second over the run (by one gateway replica locally)."""
        return self.completed / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def explain_share(self):
        return self.explained / self.chats if self.chats else 0.0

    def problems(self):
        found = []
        if self.worst_lag_ms > MAX_LAG_MS:
            found.append(f"arrivals left up to {self.worst_lag_ms:.0f} ms late (the generator fell behind)")
        if self.completed != self.explained:
            found.append(f"only {self.completed} of {self.explained} explanations completed: {self.outcomes}")
        return found

    def summary(self):
        return {"granularity": self.granularity, "chats": self.chats, "explained": self.explained,
                "outcomes": self.outcomes, "latency_ms": self.latency.summary(), "p95_s": self.p95_s,
                "throughput_per_s": round(self.throughput, 3), "explain_share": round(self.explain_share, 3),
                "worst_lag_ms": round(self.worst_lag_ms, 1), "elapsed_s": round(self.elapsed_s, 3)}


class SpeedTest:
    def __init__(self, base_url, token, timeout_s=30.0):
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.timeout_s = timeout_s

    def run(self, granularity, traces, rate_per_s, explain_share):
        """`traces` explained chats at `rate_per_s`, interleaved with plain chats to make up the share."""
        chats = max(traces, round(traces / explain_share))
        plan = Plan(chats, rate_per_s * chats / traces)
        explained = {round(i * chats / traces) for i in range(traces)}
        return asyncio.run(self._run(SpeedRun(granularity, plan), explained))

    async def _run(self, run, explained):
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(timeout=timeout, headers=self.headers) as session:
            loop = asyncio.get_running_loop()
            started = loop.time() + START_DELAY_S
            tasks, all_sent = [], loop.create_future()

            def arrive(index):
                planned = started + run.plan.offset(index)
                tasks.append(loop.create_task(self._arrival(session, run, planned, index in explained)))
                if len(tasks) == run.plan.count:
                    all_sent.set_result(None)

            # Paced by the event loop's timer, as support/perf's generator is: nothing sleeps.
            for index in range(run.plan.count):
                loop.call_at(started + run.plan.offset(index), arrive, index)
            await all_sent
            await asyncio.gather(*tasks)
            run.elapsed_s = loop.time() - started
        return run

    async def _arrival(self, session, run, planned, explain):
        loop = asyncio.get_running_loop()
        run.worst_lag_ms = max(run.worst_lag_ms, (loop.time() - planned) * 1000)
        run.chats += 1
        headers = {"x-explain-mode": "hypergraph", "x-explain-granularity": run.granularity} if explain else {}
        body = {"model": "any", "messages": [{"role": "user", "content": f"Question {run.chats} about the tides."}]}
        outcome = "no answer"
        try:
            async with session.post(f"{self.base_url}/v1/chat/completions", json=body, headers=headers) as answer:
                await answer.read()
                trace_id = answer.headers.get("x-trace-id")
                outcome = f"chat {answer.status}"
            if explain:
                run.explained += 1
                outcome = await self._final_state(session, trace_id) if trace_id else f"refused ({outcome})"
                run.latency.record((loop.time() - planned) * 1000)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            outcome = type(error).__name__
        if explain:
            run.outcomes[outcome] = run.outcomes.get(outcome, 0) + 1

    async def _final_state(self, session, trace_id):
        state = "stream ended early"
        async with session.get(f"{self.base_url}/v1/traces/{trace_id}/stream") as stream:
            async for line in stream.content:
                if line.startswith(b"data:"):
                    state = json.loads(line[5:]).get("state", state)
                    if state in ("complete", "failed", "canceled", "expired"):
                        return state
        return state


def replicas_needed(target_concurrency, explain_share, throughput_per_replica, latency_s):
    """Replicas for `target_concurrency` chats in flight, of which `explain_share` ask for an
    explanation and stay in flight until it completes (`latency_s`), when one replica completes
    `throughput_per_replica` explanations a second. Little's law: explanations a second are the
    explanations in flight over their latency."""
    if throughput_per_replica <= 0 or latency_s <= 0:
        return None
    demand = target_concurrency * explain_share / latency_s
    return max(1, math.ceil(demand / throughput_per_replica))

