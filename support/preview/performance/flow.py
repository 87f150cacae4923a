"""One emailed instruction through the whole platform, timed stage by stage from the log events
the systems write (email received, container started, instruction done, build done, upload done,
push done), each stage against its own budget (`stage_<stage>` in the profile) and the whole flow
against `whole_flow`.
"""
import time
from dataclasses import dataclass

from support.preview.stages import STAGES, Flow


@dataclass
class StageTiming:
    stage: str
    seconds: float
    budget: object

    @property
    def within(self):
        # A stage logged before the one before it did not take negative time: its marker does not mark its end.
        return self.seconds is not None and 0 <= self.seconds <= self.budget.limit

    def line(self):
        shown = "not logged" if self.seconds is None else f"{self.seconds:.3f} s"
        if self.seconds is not None and self.seconds < 0:
            shown = f"logged {-self.seconds:.3f} s before the stage before it"
        return f"{self.stage.replace('_', ' ')}: {shown} (budget {self.budget.limit:g} s)"


def time_email_flow(email, preview, stages, budgets, owner, instruction, on_created):
    """Sends `instruction` by email as `owner` (client id, user id) and returns the completed Flow."""
    client_id, user_id = owner
    flow = Flow(time.time(), STAGES)
    flow.message_id = email.send(client_id, user_id, instruction)
    on_created(email.discard, client_id)
    session, flow.thread_id = email.wait_for_conversation(client_id, within=budgets["email intake"],
                                                          on_created=on_created)
    flow.session_id = session.id

    def identify(known):
        if not known.task_id:
            arn = preview.store.task_arn(session)
            known.task_id = arn.rsplit("/", 1)[-1] if arn else None
        return known

    return stages.wait_for_stages(flow, identify, within=budgets["flow evidence"])


def stage_timings(flow, budgets):
    return [StageTiming(stage, seconds, budgets[f"stage {stage}"]) for stage, seconds in flow.durations()]
