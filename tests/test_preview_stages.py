"""Stage timings from log events: which events belong to a flow, and what each stage took."""
import pytest

from support.config import Budget
from support.config import Profile
from support.preview.performance.flow import stage_timings
from support.preview.stages import STAGES, Flow, StageReader

MARKERS = {"email_received": "Processing email", "container_started": "Container started",
           "instruction_done": "Claude command completed", "build_done": "Build complete",
           "upload_done": "S3 sync complete", "push_done": "Git push complete"}
NAMES = {"hermes_log_group": "/ecs/hermes", "edit_log_group": "/ecs/webordinary/edit"}
T0 = 1_800_000_000.0  # epoch seconds of the flow's start


class FakeLogs:
    """FilterLogEvents over a fixed list of events, in pages of two, recording each query."""

    def __init__(self, events):
        self.events, self.queries = events, []

    def filter_log_events(self, logGroupName, startTime, filterPattern, nextToken=None):
        self.queries.append((logGroupName, filterPattern))
        marker = filterPattern.strip('"')
        found = [e for e in self.events if e["group"] == logGroupName and marker in e["message"]
                 and e["timestamp"] >= startTime]
        start = int(nextToken or 0)
        page = {"events": found[start:start + 2]}
        if start + 2 < len(found):
            page["nextToken"] = str(start + 2)
        return page


def event(group, ms_after_start, message, stream="hermes"):
    return {"group": NAMES[group], "timestamp": int(T0 * 1000) + ms_after_start, "message": message,
            "logStreamName": stream}


def reader(events):
    logs = FakeLogs(events)
    profile = Profile("test", {"preview": {"names": NAMES, "log_markers": MARKERS}}, "test.yaml", {})
    return StageReader(lambda service: logs, profile, interval=0.01), logs


def flow_events():
    tags = "session=s-1 thread=thread-1"
    return [
        event("hermes_log_group", 300, f"Processing email message=m-1 {tags}"),
        event("edit_log_group", -5000, "Container started task=old", stream="old"),
        event("edit_log_group", 900, "Container started task=t-1", stream="ecs/edit/t-1"),
        event("edit_log_group", 1100, f"Claude command completed {tags}", stream="ecs/edit/t-1"),
        event("edit_log_group", 1150, "Build complete session=other thread=thread-9", stream="ecs/edit/t-2"),
        event("edit_log_group", 1200, f"Build complete {tags}", stream="ecs/edit/t-1"),
        event("edit_log_group", 1250, f"S3 sync complete {tags} uploaded=2", stream="ecs/edit/t-1"),
        event("edit_log_group", 1400, "Git push complete", stream="ecs/edit/t-1"),
    ]


def test_every_stage_is_found_by_its_marker_and_what_names_the_flow():
    stages, _ = reader(flow_events())
    flow = stages.observe(Flow(T0, STAGES, session_id="s-1", thread_id="thread-1", task_id="t-1"))
    assert flow.complete
    assert [(stage, round(seconds, 3)) for stage, seconds in flow.durations()] == [
        ("email_received", 0.3), ("container_started", 0.6), ("instruction_done", 0.2), ("build_done", 0.1),
        ("upload_done", 0.05), ("push_done", 0.15)]
    assert flow.total() == pytest.approx(1.4)


def test_an_event_from_before_the_flow_started_does_not_count():
    stages, _ = reader([event("edit_log_group", -1, "S3 sync complete session=s-1")])
    assert not stages.observe(Flow(T0, ("upload_done",), session_id="s-1")).complete


def test_a_container_start_is_recognised_by_the_task_stream_only():
    stages, _ = reader(flow_events())
    flow = stages.observe(Flow(T0, ("container_started",), session_id="s-1"))
    assert not flow.complete
    flow.task_id = "t-1"
    assert stages.observe(flow).seen == {"container_started": int(T0 * 1000) + 900}


def test_stages_not_logged_are_reported_as_missing():
    stages, _ = reader(flow_events()[:3])
    flow = stages.observe(Flow(T0, STAGES, session_id="s-1", task_id="t-1"))
    assert not flow.complete
    assert dict(flow.durations())["build_done"] is None and flow.total() is None


def test_markers_are_queried_in_their_own_log_group_across_pages():
    events = [event("edit_log_group", 10 * n, f"S3 sync complete session=s-{n}") for n in range(7)]
    stages, logs = reader(events)
    flows = [Flow(T0, ("upload_done",), session_id=f"s-{n}") for n in (6, 2, 9)]
    assert stages.first_times("upload_done", flows) == {0: int(T0 * 1000) + 60, 1: int(T0 * 1000) + 20}
    assert logs.queries == [("/ecs/webordinary/edit", '"S3 sync complete"')] * 4


def test_waiting_for_stages_fills_in_ids_as_they_become_known():
    stages, _ = reader(flow_events())
    flow = Flow(T0, STAGES, session_id="s-1")

    def identify(known):
        known.task_id = "t-1"
        return known

    assert stages.wait_for_stages(flow, identify, within=Budget("flow_evidence", 1)).complete


def test_a_stage_logged_before_the_stage_before_it_is_not_within_its_budget():
    events = flow_events()
    events[5] = event("edit_log_group", 1000, "Build complete session=s-1 thread=thread-1", stream="ecs/edit/t-1")
    stages, _ = reader(events)
    flow = stages.observe(Flow(T0, STAGES, session_id="s-1", task_id="t-1"))
    timings = {timing.stage: timing for timing in stage_timings(flow, {f"stage {s}": Budget(s, 10) for s in STAGES})}

    assert not timings["build_done"].within
    assert timings["build_done"].line() == "build done: logged 0.100 s before the stage before it (budget 10 s)"
    assert all(timing.within for stage, timing in timings.items() if stage != "build_done")
