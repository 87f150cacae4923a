"""Stage timings of one flow, read from the systems' own CloudWatch Logs events.

Each stage of a session writes one line (the contract); what the line says differs between the
seed and the deployed code, so the markers come from the profile (`log_markers`). An event belongs
to a flow when it names the flow's session, thread or email, or when it was written to the log
stream of the flow's task (ECS streams end with the task id), which is how "container started"
lines, that name no session, are found. Timestamps are the systems' own, so no polling delay
enters a stage's duration; the flow's start is the moment the suite sent the email or request.
"""
from dataclasses import dataclass, field

from support.waits import eventually

STAGES = ("email_received", "container_started", "instruction_done", "build_done", "upload_done", "push_done")
HERMES_STAGES = {"email_received"}
# Events are looked up from a minute before the flow's start, but an event counts for the flow only
# if it is no older than the flow's start: a warm start's session (and its task's stream) already
# has the events of the instruction before. The clocks involved are assumed NTP-synchronised.
QUERY_SLACK_MS = 60_000
# FilterLogEvents pages; a flow's markers are a handful of events, so more pages means a wrong filter.
MAX_PAGES = 20


@dataclass
class Flow:
    """What identifies one flow's events; ids are filled in as the flow reveals them."""

    started_epoch: float
    stages: tuple
    session_id: str = None
    thread_id: str = None
    task_id: str = None
    message_id: str = None
    seen: dict = field(default_factory=dict)  # stage -> epoch ms of its event

    def owns(self, event):
        return event["timestamp"] >= self.started_epoch * 1000 and self.names(event)

    def names(self, event):
        message = event.get("message", "")
        ids = [value for value in (self.session_id, self.thread_id, self.message_id) if value]
        if any(value in message for value in ids):
            return True
        return bool(self.task_id) and event.get("logStreamName", "").endswith(self.task_id)

    @property
    def complete(self):
        return all(stage in self.seen for stage in self.stages)

    def durations(self):
        """[(stage, seconds since the previous stage, or since the start for the first)]."""
        result, previous = [], self.started_epoch * 1000
        for stage in self.stages:
            at = self.seen.get(stage)
            result.append((stage, None if at is None else (at - previous) / 1000))
            previous = at if at is not None else previous
        return result

    def total(self):
        last = self.seen.get(self.stages[-1])
        return None if last is None else (last - self.started_epoch * 1000) / 1000


class StageReader:
    def __init__(self, aws, profile, interval):
        self.logs = aws("logs")
        self.names = profile.area("preview")["names"]
        self.markers = profile.area("preview")["log_markers"]
        self.interval = interval

    def events(self, stage, since_epoch):
        """Every event carrying `stage`'s marker since `since_epoch`, oldest first."""
        group = self.names["hermes_log_group" if stage in HERMES_STAGES else "edit_log_group"]
        marker = self.markers[stage].replace('"', "")
        query = {"logGroupName": group, "startTime": int(since_epoch * 1000) - QUERY_SLACK_MS,
                 "filterPattern": f'"{marker}"'}
        found = []
        for _ in range(MAX_PAGES):
            page = self.logs.filter_log_events(**query)
            found += [event for event in page.get("events", []) if marker in event.get("message", "")]
            if not page.get("nextToken"):
                break
            query["nextToken"] = page["nextToken"]
        return sorted(found, key=lambda event: event["timestamp"])

    def observe(self, flow):
        """Fills flow.seen with the first event of each stage that names the flow; returns the flow."""
        for stage in flow.stages:
            if stage not in flow.seen:
                mine = [event for event in self.events(stage, flow.started_epoch) if flow.owns(event)]
                if mine:
                    flow.seen[stage] = mine[0]["timestamp"]
        return flow

    def wait_for_stages(self, flow, identify, within):
        """Waits until every stage of `flow` has logged; `identify(flow)` fills in ids as they become known."""
        return eventually(
            lambda: self.observe(identify(flow)),
            until=lambda observed: observed.complete,
            within=within,
            describe=f"every stage of the flow of session {flow.session_id or '(not yet known)'} to be logged",
            interval=max(self.interval, 0.1),
        )

    def first_times(self, stage, flows):
        """For many flows at once (a load run): one query, then {flow index: epoch ms} of `stage`'s event."""
        if not flows:
            return {}
        since = min(flow.started_epoch for flow in flows)
        events = self.events(stage, since)
        found = {}
        for index, flow in enumerate(flows):
            mine = [event for event in events if flow.owns(event)]
            if mine:
                found[index] = mine[0]["timestamp"]
        return found
