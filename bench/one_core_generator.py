"""One open-model generator run on one CPU core, reported as JSON (run by bench.load in a child
process, so the core it is pinned to and the memory it uses are its own).

    python -m bench.one_core_generator URL RATE SECONDS
"""
import asyncio
import json
import os
import resource
import sys
import time

from support.perf.generator import OpenModelGenerator, Plan, Request, Validity

MAX_IN_FLIGHT = 1000
# Memory is compared from a quarter into the run (connection pool and allocator are warm by then) to
# its end; it grows in the first tens of seconds at 2,000/s and is flat after that.
WARM_SHARE = 0.25


def _resident_mib():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


async def _run_and_sample(generator):
    """The run, with the process's resident memory sampled once a second alongside it."""
    samples = []

    async def sample():
        while True:
            samples.append(_resident_mib())
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample())
    try:
        return await generator.run_async(), samples
    finally:
        sampler.cancel()


def main(url, rate, seconds):
    os.sched_setaffinity(0, {0})
    request = Request("GET", "/health")
    generator = OpenModelGenerator(url, Plan.steady(rate, seconds), lambda _: request, Validity(0.99, 100),
                                   timeout_s=5, max_in_flight=MAX_IN_FLIGHT)
    rss_before = _resident_mib()
    cpu_before = time.process_time()
    run, samples = asyncio.run(_run_and_sample(generator))
    cpu = time.process_time() - cpu_before
    warm = samples[int(len(samples) * WARM_SHARE)]
    print(json.dumps({
        "planned_rate": rate, "achieved_rate": run.achieved_rate, "valid": run.valid, "problems": run.problems,
        "dispatched": run.dispatched, "failed": run.failed.aggregate("count"),
        "latency_ms": run.latency.summary(), "service_ms": run.service.summary(), "lag_ms": run.lag.summary(),
        "cpu_s": round(cpu, 3), "elapsed_s": round(run.elapsed_s, 3),
        "rss_mib_before": round(rss_before, 1), "rss_mib_warm": round(warm, 1),
        "rss_mib_after": round(samples[-1], 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
