"""Which scenario step must fail when the stack runs with each fault.

Every Then of a feature appears here at least once: a Then no fault can break would be an
assertion that cannot fail.
"""
COLD_START = "features/preview/cold_start.feature"

MATRIX = {
    "session_not_recorded": (COLD_START, "the session is recorded for that site owner"),
    "no_scale_up": (COLD_START, "an edit container is ready within the cold start budget"),
    "preview_not_served": (COLD_START, "an edit container is ready within the cold start budget"),
    "preview_not_rebuilt": (COLD_START, 'the preview shows a page titled "Test Page"'),
    "instruction_not_applied": (COLD_START, 'the preview shows a page titled "Test Page"'),
    "workspace_not_persisted": (COLD_START, 'the page "Test Page" is saved in the site owner\'s workspace'),
    "idle_shutdown_disabled": (COLD_START, "no edit containers are running within the idle shutdown budget"),
    "session_never_expires": (COLD_START, "the session is marked as expired within the session expiry budget"),
    "malformed_activation_accepted": (COLD_START, "the request is refused with a reason that names the"),
    "refused_activation_leaves_session": (COLD_START, "no session or container was created"),
}
