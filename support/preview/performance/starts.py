"""Cold and warm session starts, timed from the request to the platform's own log event of the
preview's upload (what the seed called "deployed"), so polling never adds to a start time.

Cold: the site owner has no running container, so the edit service must start a task. Warm: the
owner's container is still running and the platform hands the new session to it.
"""
import time
from dataclasses import dataclass, field

from support.perf.timings import Trend
from support.preview.stages import Flow


@dataclass
class StartComparison:
    cold: Trend = field(default_factory=Trend)
    warm: Trend = field(default_factory=Trend)

    @property
    def warm_share(self):
        """The average warm start as a share of the average cold start."""
        return self.warm.aggregate("avg") / self.cold.aggregate("avg")


class StartTimer:
    def __init__(self, preview, stages, budgets):
        self.preview, self.stages, self.budgets = preview, stages, budgets

    def start(self, client_id, user_id, instruction, on_created):
        """(session, seconds) of one start; returns once the session is active, ready for the next."""
        sent = time.time()
        session = self.preview.activate(client_id, user_id, instruction, on_created)
        flow = Flow(sent, ("upload_done",), session_id=session.id)
        self.stages.wait_for_stages(flow, lambda known: known, within=self.budgets["cold start"])
        self.preview.wait_for_status(session, "active", within=self.budgets["session recorded"])
        return session, flow.total()

    def warm_starts(self, client_id, user_id, count, on_created):
        """Seconds of `count` starts, one after another, by an owner whose container is running."""
        return [self.start(client_id, user_id, f'Add a new page called "Warm {n + 1}"', on_created)[1]
                for n in range(count)]

    def compare(self, owners, cold_starts, warm_starts, on_created):
        """Each owner starts from zero (cold), then again while the container runs (warm); the
        warm starts are shared out over the owners, and each owner leaves before the next comes."""
        comparison = StartComparison()
        for index in range(cold_starts):
            self.preview.edit_service.wait_for(0, within=self.budgets["scale change"])
            client_id, user_id = owners()
            session, seconds = self.start(client_id, user_id, 'Add a new page called "Cold"', on_created)
            comparison.cold.record(seconds * 1000)
            for n in range(warm_starts // cold_starts + (index < warm_starts % cold_starts)):
                session, seconds = self.start(client_id, user_id, f'Add a new page called "Warm {n + 1}"',
                                              on_created)
                comparison.warm.record(seconds * 1000)
            self.preview.deactivate(session)
        return comparison
