"""(b) The generator's achieved rate and its own latency floor at 500, 1,000 and 2,000 requests/s
against a trivial stack endpoint (the load balancer's /health), next to Locust on the same endpoint.

Both run in child processes pinned to CPU 0, one after the other, so each has one core to itself
(the stack's processes share the other core with everything else on this machine).
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

from support.embedded import ROOT

RATES = (500, 1000, 2000)
LOCUST_USERS = 100


def generator(url, rate, seconds):
    answer = subprocess.run([sys.executable, "-m", "bench.one_core_generator", url, str(rate), str(seconds)],
                            cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60)
    if answer.returncode:
        raise RuntimeError(f"generator at {rate}/s failed: {answer.stderr[-2000:]}")
    return json.loads(answer.stdout.strip().splitlines()[-1])


def locust(url, rate, seconds):
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as scratch:
        prefix = os.path.join(scratch, "health")
        env = {**os.environ, "BENCH_RATE": str(rate), "BENCH_LOCUST_USERS": str(LOCUST_USERS)}
        subprocess.run([sys.executable, "-m", "locust", "-f", "bench/locust_health.py", "--headless", "--host", url,
                        "--users", str(LOCUST_USERS), "--spawn-rate", str(LOCUST_USERS), "--run-time",
                        f"{int(seconds)}s", "--csv", prefix, "--only-summary", "--loglevel", "ERROR"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 60)
        with open(prefix + "_stats.csv") as handle:
            total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
    return {"planned_rate": rate, "achieved_rate": float(total["Requests/s"]),
            "failed": int(total["Failure Count"]), "p50_ms": float(total["50%"]), "p99_ms": float(total["99%"])}


def measure(url, seconds):
    """[(rate, generator result, locust result)]."""
    return [(rate, generator(url, rate, seconds), locust(url, rate, seconds)) for rate in RATES]
