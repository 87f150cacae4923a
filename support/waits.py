"""The one way to wait: until a condition holds, or a named budget runs out.

Probes are cheap (a status call, a DescribeServices), so locally they repeat every 50 ms and a
met condition is seen within one interval; against AWS the profile sets a longer interval.
`time.sleep` appears nowhere else in support/ or steps/.
"""
import json
import time
from dataclasses import dataclass

import httpx
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from support import reporting

DEFAULT_INTERVAL_S = 0.05


class WaitTimeout(AssertionError):
    """A budget ran out; the message says what was awaited, which budget, and what was last seen."""


class WaitAbandoned(AssertionError):
    """The wait stopped before its budget ran out: what it awaits can no longer happen, or the probe
    failed in a way no retry mends (a bug in the condition, a refused credential)."""


class NotYet(Exception):
    """A probe raises this to say "not yet" in so many words (a resource that does not exist yet)."""


class GiveUp(Exception):
    """A probe or condition raises this when what it waits for can no longer happen (the task stopped)."""


# Errors that mean "ask again": the target is starting, busy or briefly unreachable.
TRANSIENT = (NotYet, ConnectionError, TimeoutError, httpx.TransportError, EndpointConnectionError,
             ConnectionClosedError, ReadTimeoutError)


@dataclass
class WaitRecord:
    describe: str
    budget: str
    limit: float
    seconds: float
    probes: int
    met: bool


observed = []


def _show(value, limit=400):
    try:
        text = json.dumps(value, default=str, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def eventually(probe, until, within, describe, interval=None, report=True):
    """Returns the first probe result that satisfies `until`, or raises WaitTimeout.

    `within` is a config.Budget. As Terratest's retries do, only errors known to be transient
    (TRANSIENT, and `NotYet`) count as "not yet", with the error kept as the last observed state;
    `GiveUp` and any other error stop the wait at once with WaitAbandoned, so a typo in a condition
    fails in milliseconds instead of waiting out its budget.
    `report=False` keeps waits outside scenarios (starting the stack) out of the report.
    """
    interval = interval or DEFAULT_INTERVAL_S
    started = time.monotonic()
    deadline = started + within.limit
    probes = 0
    last, last_at = "nothing yet", started
    while True:
        probes += 1
        try:
            last = probe()
            ok = until(last)
        except TRANSIENT as error:
            last, ok = f"{type(error).__name__}: {error}", False
        except Exception as error:  # noqa: BLE001 - anything else ends the wait, with what was seen
            if report:
                _record(describe, within, time.monotonic() - started, probes, False)
            raise WaitAbandoned(f"{describe}: stopped waiting after {time.monotonic() - started:.2f} s of "
                                f"{within}: {type(error).__name__}: {error}; last seen {_show(last)}") from error
        now = time.monotonic()
        last_at = now
        if ok:
            if report:
                _record(describe, within, now - started, probes, True)
            return last
        if now >= deadline:
            break
        time.sleep(max(0.0, min(interval, deadline - now)))
    seconds = time.monotonic() - started
    if report:
        _record(describe, within, seconds, probes, False)
    raise WaitTimeout(
        f"{describe}: not within {within} after {seconds:.2f} s; last seen {_show(last)} "
        f"{time.monotonic() - last_at:.2f} s ago; {probes} probes"
    )


def _record(describe, budget, seconds, probes, met):
    record = WaitRecord(describe, budget.name, budget.limit, round(seconds, 3), probes, met)
    observed.append(record)
    outcome = "met" if met else "NOT met"
    reporting.note(f"waited {seconds:.3f} s for {describe} ({outcome}; budget {budget})")
