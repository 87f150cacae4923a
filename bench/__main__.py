"""python -m bench (make bench): runs (a) wait detection, (c) stack and session starts, (b) load
generator versus Locust, prints one table and writes it as JSON under reports/bench/.

BENCH_SECONDS (default 5) is the length of each load step; BENCH_SOAK_S (default 20) the length of
the 2,000/s run whose memory is compared at start and end (the README's figure uses 120).
"""
import datetime
import json
import os
import platform
import tempfile

from bench import detection, load, stack_starts
from bench.one_core_generator import WARM_SHARE
from support.perf.timings import Trend

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
SOAK_S = float(os.environ.get("BENCH_SOAK_S", "20"))


def _ms(value):
    return "n/a" if value is None else f"{value:,.1f} ms"


def _trend_row(name, trend: Trend):
    return (name, f"p50 {_ms(trend.percentile(50))}", f"p95 {_ms(trend.percentile(95))}", f"n={trend.count}")


def main():
    rows, record = [], {"date": datetime.date.today().isoformat(), "machine": f"{os.cpu_count()} cores, "
                        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"}
    rows.append(("(a) detection delay after a condition holds", "", "", ""))
    for name, trend in detection.measure(interval=0.05).items():
        rows.append(_trend_row(f"    {name}", trend))
        record[f"detection {name}"] = trend.summary()
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as state_dir:
        bench_stack = stack_starts.BenchStack(state_dir)
        try:
            rows.append(("(c) embedded stack start", f"{bench_stack.own_start_s:.2f} s (supervisor)",
                         f"{bench_stack.wall_start_s:.2f} s (until usable)", ""))
            starts = bench_stack.cold_and_warm(cold=3, warm=3)
            rows.append(_trend_row("    cold session start", starts.cold))
            rows.append(_trend_row("    warm session start", starts.warm))
            record["starts"] = {"stack_s": bench_stack.own_start_s, "cold": starts.cold.summary(),
                                "warm": starts.warm.summary()}
            rows.append(("(b) load on the load balancer's /health", "achieved rate", "latency p50 / p99", "notes"))
            for rate, mine, theirs in load.measure(bench_stack.url, SECONDS):
                share = mine["achieved_rate"] / rate
                rows.append((f"    generator {rate:,}/s", f"{mine['achieved_rate']:,.0f}/s ({share:.1%})",
                             f"{_ms(mine['latency_ms'].get('p50'))} / {_ms(mine['latency_ms'].get('p99'))}",
                             f"floor {_ms(mine['service_ms'].get('min'))}, cpu {mine['cpu_s'] / SECONDS:.0%}, "
                             f"{'valid' if mine['valid'] else 'INVALID'}"))
                rows.append((f"    locust {rate:,}/s", f"{theirs['achieved_rate']:,.0f}/s "
                             f"({theirs['achieved_rate'] / rate:.1%})",
                             f"{_ms(theirs['p50_ms'])} / {_ms(theirs['p99_ms'])}", f"{theirs['failed']} failed"))
                record[f"load {rate}"] = {"generator": mine, "locust": theirs}
            soak = load.generator(bench_stack.url, 2000, SOAK_S)
            rows.append((f"    generator 2,000/s for {SOAK_S:g} s", f"{soak['achieved_rate']:,.0f}/s",
                         f"memory {soak['rss_mib_warm']:.1f} -> {soak['rss_mib_after']:.1f} MiB",
                         f"from {SOAK_S * WARM_SHARE:g} s in to the end; {soak['rss_mib_before']:.0f} MiB before"))
            record["soak"] = soak
        finally:
            bench_stack.stop()
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print(f"benchmarks {record['date']} on {record['machine']}")
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    os.makedirs("reports/bench", exist_ok=True)
    path = f"reports/bench/{record['date']}.json"
    with open(path, "w") as handle:
        json.dump(record, handle, indent=2)
    print(f"results: {path}")


if __name__ == "__main__":
    main()
