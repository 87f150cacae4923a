"""The one waiting primitive ends as soon as the condition holds and explains a timeout."""
import threading
import time

import pytest

from support.config import Budget
import httpx

from support.waits import GiveUp, NotYet, WaitAbandoned, WaitTimeout, eventually


def test_returns_the_first_value_that_satisfies_the_condition():
    values = iter([1, 2, 3, 4])
    assert eventually(lambda: next(values), until=lambda v: v >= 3, within=Budget("b", 1),
                      describe="count", report=False) == 3


@pytest.mark.alone
def test_notices_a_met_condition_within_one_poll_interval():
    flag = threading.Event()
    threading.Timer(0.2, flag.set).start()
    started = time.monotonic()
    eventually(flag.is_set, until=bool, within=Budget("b", 2), describe="flag", interval=0.05, report=False)
    assert time.monotonic() - started < 0.2 + 0.1


def test_a_timeout_names_the_budget_and_the_last_observed_state():
    with pytest.raises(WaitTimeout) as error:
        eventually(lambda: {"status": "initializing"}, until=lambda s: s["status"] == "active",
                   within=Budget("cold_start", 0.2), describe="session S-1 to become active", report=False)
    message = str(error.value)
    assert "session S-1 to become active" in message
    assert "cold start (0.2 s)" in message
    assert '"status": "initializing"' in message
    assert "probes" in message


def test_a_probe_that_raises_is_an_observation_not_the_verdict():
    calls = []

    def probe():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("not listening yet")
        return "up"

    assert eventually(probe, until=lambda v: v == "up", within=Budget("b", 1), describe="x", report=False) == "up"


def test_the_last_error_is_shown_when_the_budget_runs_out():
    def probe():
        raise ConnectionError("connection refused")

    with pytest.raises(WaitTimeout, match="ConnectionError: connection refused"):
        eventually(probe, until=bool, within=Budget("b", 0.1), describe="x", report=False)


@pytest.mark.alone
def test_a_bug_in_the_condition_stops_the_wait_at_once():
    started = time.monotonic()
    with pytest.raises(WaitAbandoned, match="KeyError: 'stauts'"):
        eventually(lambda: {"status": "active"}, until=lambda s: s["stauts"] == "active",
                   within=Budget("b", 5), describe="a typo", report=False)
    assert time.monotonic() - started < 0.5


def test_giving_up_stops_the_wait_with_the_reason():
    def probe():
        raise GiveUp("the task stopped: OutOfMemoryError")

    with pytest.raises(WaitAbandoned, match="OutOfMemoryError"):
        eventually(probe, until=bool, within=Budget("b", 5), describe="the task to run", report=False)


def test_a_transient_error_is_only_not_yet():
    answers = iter([httpx.ConnectError("refused"), NotYet("no log group yet"), "ready"])

    def probe():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert eventually(probe, until=lambda v: v == "ready", within=Budget("b", 2), describe="start",
                      interval=0.01, report=False) == "ready"
