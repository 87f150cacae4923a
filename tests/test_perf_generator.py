"""The open-model generator: its schedule, what it measures, and when it calls its own run invalid.

Nothing here asserts on how fast this machine is: validity is checked on constructed runs, and
the live runs only check counts, answers and that latency is measured from the plan.
"""
import asyncio

import pytest
from aiohttp import web

from support.perf.generator import GeneratorRun, InvalidRun, OpenModelGenerator, Plan, Request, Validity


def test_a_steady_plan_spaces_arrivals_evenly():
    plan = Plan.steady(rate=4, duration_s=2.5)
    assert plan.count == 10
    assert [plan.offset(i) for i in (0, 1, 9)] == [0.0, 0.25, 2.25]
    assert plan.duration_s == 2.25


def test_a_burst_sends_every_arrival_at_once():
    plan = Plan.burst(20)
    assert plan.count == 20 and {plan.offset(i) for i in range(20)} == {0.0}


@pytest.mark.parametrize("make", [
    lambda: Plan.steady(rate=-1, duration_s=10),
    lambda: Plan.steady(rate=10, duration_s=0),
    lambda: Plan(count=0),
    lambda: Plan(count=2_000_000, rate=10),
])
def test_unbounded_or_impossible_plans_are_refused(make):
    with pytest.raises(ValueError):
        make()


def run_with(plan, dispatched, last_dispatch_s, lags_ms=(1.0,), skipped=0, validity=Validity(0.98, 100)):
    run = GeneratorRun(plan, validity, dispatched=dispatched, last_dispatch_s=last_dispatch_s, skipped=skipped)
    for lag in lags_ms:
        run.lag.record(lag)
    return run


def test_a_run_that_kept_its_schedule_is_valid():
    run = run_with(Plan(count=1000, rate=100), dispatched=1000, last_dispatch_s=9.99)
    assert run.achieved_rate == pytest.approx(100)
    assert run.valid and run.require_valid() is run


def test_a_run_that_fell_behind_its_rate_is_invalid():
    run = run_with(Plan(count=1000, rate=100), dispatched=1000, last_dispatch_s=10.5)
    assert run.achieved_rate == pytest.approx(1000 / 10.51)
    assert not run.valid
    with pytest.raises(InvalidRun, match=r"achieved 95\.1/s, 95\.1% of the planned 100/s"):
        run.require_valid()


def test_a_run_whose_requests_left_late_is_invalid():
    run = run_with(Plan(count=100, rate=100), dispatched=100, last_dispatch_s=0.99, lags_ms=[1.0] * 98 + [400, 500])
    assert any("dispatch lag" in problem for problem in run.problems)


def test_a_run_that_hit_its_in_flight_limit_is_invalid():
    run = run_with(Plan(count=100, rate=100), dispatched=90, last_dispatch_s=0.99, skipped=10)
    assert any("in-flight limit" in problem for problem in run.problems)


def test_a_burst_is_judged_by_its_dispatch_lag_only():
    assert run_with(Plan.burst(20), dispatched=20, last_dispatch_s=0.01).valid
    assert not run_with(Plan.burst(20), dispatched=20, last_dispatch_s=0.5, lags_ms=[500]).valid


def serve_and_generate(handler, generator_for):
    """Runs an aiohttp app on a free port and the generator against it, on one event loop."""
    async def main():
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            return await generator_for(f"http://127.0.0.1:{port}").run_async()
        finally:
            await runner.cleanup()
    return asyncio.run(main())


def test_every_arrival_is_sent_answered_and_timed_from_its_plan():
    seen, answers = [], []

    async def handler(request):
        seen.append(await request.json())
        return web.json_response({"ok": True}, status=201 if len(seen) % 5 else 503)

    run = serve_and_generate(handler, lambda base: OpenModelGenerator(
        base, Plan.steady(rate=200, duration_s=0.25), lambda i: Request("POST", "/things", {"n": i}),
        on_answer=lambda i, planned, status, body: answers.append((i, planned, status))))
    assert run.dispatched == 50 and run.latency.count == 50 and run.service.count == 50
    assert sorted(item["n"] for item in seen) == list(range(50))
    assert run.answers[201] == 40 and run.answers[503] == 10
    assert run.failed.aggregate("rate") == pytest.approx(0.2)
    planned = [p for _, p, _ in sorted(answers)]
    assert planned == sorted(planned) and planned[1] - planned[0] == pytest.approx(0.005, abs=1e-6)
    assert run.latency.aggregate("min") >= run.service.aggregate("min")
    assert run.summary()["dispatched"] == 50


def test_a_system_that_stalls_makes_the_run_invalid_instead_of_slowing_the_schedule():
    async def handler(request):
        await asyncio.sleep(0.5)
        return web.json_response({})

    run = serve_and_generate(handler, lambda base: OpenModelGenerator(
        base, Plan.steady(rate=100, duration_s=0.2), lambda i: Request("GET", "/slow"), max_in_flight=5,
        timeout_s=2))
    assert run.skipped == 20 - 5
    assert not run.valid
    assert run.latency.aggregate("min") >= 400


def test_requests_still_open_when_the_run_ends_are_failures():
    async def handler(request):
        await asyncio.sleep(5)
        return web.json_response({})

    run = serve_and_generate(handler, lambda base: OpenModelGenerator(
        base, Plan.burst(3), lambda i: Request("GET", "/never"), timeout_s=0.3))
    assert run.failed.aggregate("count") == 3
    assert run.elapsed_s < 2
