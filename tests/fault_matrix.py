"""Which step of which scenario must fail when the stack runs with each fault.

Each fault runs only the scenario it targets, so a fault cannot pass the matrix by breaking a
later scenario's set-up. Every Then of a feature appears here at least once: a Then that no fault
can break would be an assertion that cannot fail.
"""
COLD_START = "features/preview/cold_start.feature"
FIRST_EDIT = (COLD_START, "A first instruction starts a container and shows the change")
IDLE = (COLD_START, "An idle session is shut down and the platform returns to zero")
NOT_UNDERSTOOD = (COLD_START, "An instruction the platform does not understand fails clearly and changes nothing")
REFUSED = (COLD_START, "An activation with missing or malformed details is refused and creates nothing")

MATRIX = {
    "session_not_recorded": (*FIRST_EDIT, "the session is recorded for that site owner"),
    "no_scale_up": (*FIRST_EDIT, "an edit container is ready within the cold start budget"),
    "preview_not_served": (*FIRST_EDIT, "an edit container is ready within the cold start budget"),
    "preview_not_rebuilt": (*FIRST_EDIT, 'the preview shows a page titled "Test Page"'),
    "instruction_not_applied": (*FIRST_EDIT, 'the preview shows a page titled "Test Page"'),
    "workspace_not_persisted": (*FIRST_EDIT, 'the page "Test Page" is saved in the site owner\'s workspace'),
    "preview_not_published": (*FIRST_EDIT, "the preview is published for sharing"),
    "build_stage_not_logged": (*FIRST_EDIT, "the platform's logs show the instruction, build"),
    "unknown_instruction_reported_done": (*NOT_UNDERSTOOD, "the session reports that the instruction was not"),
    "failed_instruction_committed": (*NOT_UNDERSTOOD, "nothing was committed to the site owner's workspace"),
    "idle_shutdown_disabled": (*IDLE, "no edit containers are running within the idle shutdown budget"),
    "session_never_expires": (*IDLE, "the session is marked as expired within the session expiry budget"),
    "malformed_activation_accepted": (*REFUSED, "the request is refused with a reason that names the"),
    "refused_activation_leaves_session": (*REFUSED, "no session or container was created"),
}
