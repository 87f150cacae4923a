"""(a) How long after a condition becomes true a waiter notices it: support.waits.eventually at the
local profile's interval, next to a fixed 2-second poll (what the seed's harness does).

Each trial flips a flag at a random moment between 0.2 s and 2.2 s; trials run side by side in
threads so forty of them take a few seconds.
"""
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from support.config import Budget
from support.perf.timings import Trend
from support.waits import eventually

TRIALS = 40
FIXED_POLL_S = 2.0


def _trial(wait):
    flipped = {}
    delay = random.uniform(0.2, 2.2)
    threading.Timer(delay, lambda: flipped.setdefault("at", time.monotonic())).start()
    wait(lambda: "at" in flipped)
    return (time.monotonic() - flipped["at"]) * 1000


def _eventually(interval):
    def wait(condition):
        eventually(condition, until=bool, within=Budget("bench", 10), describe="the flag", interval=interval,
                   report=False)
    return wait


def _fixed_poll(condition):
    while not condition():
        time.sleep(FIXED_POLL_S)


def measure(interval):
    """{waiter name: Trend of detection delays in ms}."""
    waiters = {f"waits.eventually ({interval * 1000:g} ms)": _eventually(interval),
               f"fixed {FIXED_POLL_S:g} s poll": _fixed_poll}
    results = {}
    for name, wait in waiters.items():
        trend = Trend()
        with ThreadPoolExecutor(TRIALS) as pool:
            for delay_ms in pool.map(lambda _: _trial(wait), range(TRIALS)):
                trend.record(delay_ms)
        results[name] = trend
    return results
