"""Judging a session load's answers: which refusals count as a clear "try again"."""
from support.preview.performance.sessions import Arrival, LoadRun, unclear_refusals
from support.perf.timings import Measurements
from support.http import Answer
from support.preview.sessions import Session


def arrival(index, status, body):
    session = Session(f"s-{index}", "c", "u", "i", "url") if status in (200, 201) else None
    answer = Answer(status, body) if status else None
    return Arrival(index, f"client-{index}", f"owner-{index}", answer=answer, session=session)


def test_only_a_429_or_503_that_says_to_try_again_is_a_clear_refusal():
    run = LoadRun(None, None, [
        arrival(0, 201, {"sessionId": "s-0"}),
        arrival(1, 503, {"error": "CapacityExhausted", "message": "all 3 edit sessions are in use; try again later"}),
        arrival(2, 429, {"error": "Throttled", "message": "try again"}),
        arrival(3, 500, {"error": "InternalError", "message": "KeyError: 'taskArn'"}),
        arrival(4, 503, "<html>Service Unavailable</html>"),
        arrival(5, 503, {"error": "CapacityExhausted"}),
        arrival(6, None, ""),
    ], Measurements(), (0, 1))
    assert [a.index for a in run.accepted] == [0]
    assert unclear_refusals(run) == ['500 {"error": "InternalError", "message": "KeyError: \'taskArn\'"}',
                                     "503 <html>Service Unavailable</html>", '503 {"error": "CapacityExhausted"}',
                                     "None"]


def test_a_session_started_only_with_its_instruction_done_and_its_upload_logged():
    done = Arrival(0, "c", "u", outcome={"instructionStatus": "done"}, started_ms=900.0)
    failed = Arrival(1, "c", "u", outcome={"instructionStatus": "failed"}, started_ms=900.0)
    unlogged = Arrival(2, "c", "u", outcome={"instructionStatus": "done"})
    assert [a.started for a in (done, failed, unlogged)] == [True, False, False]
