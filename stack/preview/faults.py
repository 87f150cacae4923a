"""Preview's named defects: the session API, the load balancer, the edit service and its workers,
the email intake, and the performance defects (slow or greedy containers are preview behaviours).

Hermes owns the switch (`/control/faults` on its own port); stack/faults.py reads it for every
preview process, edit workers included.
"""


def control_url(state):
    """Where this area's faults are switched at run time, from the stack's state file."""
    return state["preview"]["endpoints"]["hermes_control"] + "/faults"


FAULTS = {
    "session_not_recorded": "Hermes answers an activation but never writes the session item",
    "no_scale_up": "Hermes never raises the edit service's desired count",
    "preview_not_served": "the load balancer answers 404 for every session path",
    "preview_not_rebuilt": "the edit worker commits the change but serves the previous build",
    "instruction_not_applied": "the edit worker commits without changing the workspace",
    "preview_not_published": "the edit worker builds the site but never uploads it to the preview bucket",
    "build_stage_not_logged": "the edit worker builds without writing its build-complete log line",
    "unknown_instruction_reported_done": "the edit worker reports an instruction it did not understand as done",
    "failed_instruction_committed": "the edit worker commits to the workspace even when the instruction failed",
    "workspace_not_persisted": "the edit worker edits a scratch copy, not the persistent workspace",
    "idle_shutdown_disabled": "idle sessions expire but the edit service is never scaled back down",
    "session_never_expires": "idle sessions are shut down but their status stays active",
    "malformed_activation_accepted": "Hermes accepts activations with missing or malformed details",
    "refused_activation_leaves_session": "Hermes records the session before validating, then refuses",
    "refused_activation_starts_task": "Hermes raises the edit service's count before validating, then refuses",
    # persistence
    "workspace_not_resumed": "a new edit task starts the site owner's project afresh instead of resuming it",
    "history_not_kept": "a new edit task keeps the workspace's files but starts a new git history",
    "update_not_committed": "the edit worker applies an update to an existing file but never commits it",
    "unsafe_path_accepted": "the edit worker strips path characters from a file name and applies the instruction",
    "path_checked_after_write": "the edit worker writes an instruction's file before checking its path stays in the project",
    # concurrency and capacity
    "session_id_from_clock": "Hermes derives session ids from the clock, so simultaneous activations collide",
    "scale_ignores_maximum": "Hermes scales the edit service to one task per session plus a spare, past its maximum",
    "sessions_share_workspace": "the edit worker keys workspaces by client only, so a site's users share one",
    "idle_tracked_per_service": "Hermes measures idleness across all sessions, so one busy session keeps every one alive",
    "idle_session_ends_all": "Hermes ends every session when one of them goes idle",
    "continues_another_users_session": "Hermes hands an instruction to any live session of the same client, whoever its user",
    "capacity_limit_ignored": "Hermes admits sessions beyond the edit service's maximum; they wait for a task forever",
    "capacity_refusal_leaves_session": "Hermes records a session before checking capacity and keeps it when refusing",
    "refused_activation_holds_capacity": "Hermes reserves capacity before validating and keeps it for refused activations",
    # routing and live reload
    "hermes_health_misrouted": "the load balancer sends the session service's readiness and liveness checks elsewhere",
    "api_not_routed": "the load balancer has no rule for the edit service's API",
    "preview_index_not_routed": "the load balancer routes a session's sub-pages but not its preview's own address",
    "unknown_session_unavailable": "the load balancer answers 'unavailable' for a session that does not exist",
    "no_target_not_found": "the load balancer answers 'not found' when the edit service has no healthy target",
    "router_drops_websocket": "the load balancer accepts the live-reload WebSocket and drops it at once",
    "router_accepts_any_websocket": "the load balancer opens a live-reload WebSocket without checking the session",
    "reload_not_sent": "the edit worker rebuilds the preview without telling open live-reload connections",
    # recovery and throttling
    "task_not_replaced": "the edit service gives up a crashed task instead of replacing it",
    "session_not_rehomed": "Hermes leaves a session bound to its crashed task instead of moving it to the replacement",
    "throttle_backoff_refuses_all": "after one throttled write Hermes refuses every activation for a while, even stored ones",
    "throttled_activation_errors": "Hermes answers a throttled activation with an internal error instead of 'try again'",
    "throttled_activation_leaves_orphans": "Hermes keeps a throttled activation's session and task after refusing it",
    "unknown_session_reported_draining": "Hermes answers a deactivation of an unknown session as if it were draining",
    "deactivation_upserts_session": "Hermes marks an unknown session draining with an update that creates its item",
    "runaway_scale_up": "Hermes asks for many edit tasks for every live session",
    "task_start_time_missing": "the orchestrator's DescribeTasks leaves out when tasks started",
    "email_subject_taken_as_instruction": "the email intake takes the subject line, not the body, as the instruction",
    "email_thread_not_mapped": "the email intake starts the session but never writes its thread mapping",
    "acknowledgement_without_conversation_id": "the acknowledgement email does not carry the conversation id",
    "reply_starts_new_conversation": "the email intake ignores the conversation id of a reply",
    "reply_sender_normalised": "the email intake lower-cases the sender of a reply, so the reply lands in another workspace",
    "malformed_email_dropped": "the email intake deletes an unreadable message instead of setting it aside",
    "consumer_stops_after_malformed": "the email intake stops consuming after an unreadable message",
    # performance and load
    "slow_build_stage": "the edit worker's build waits seconds for a lock before it runs",
    "edit_stages_throttled": "the edit container is CPU-starved: every stage takes a second longer",
    "warm_start_as_slow_as_cold": "Hermes ignores a site owner's running container and starts a new task every time",
    "warm_start_reinstalls_dependencies": "the edit worker reinstalls the site's dependencies on every resumed session",
    "slow_task_assignment": "Hermes looks for a free edit task every 5 s instead of continuously",
    "ended_sessions_hold_capacity": "Hermes never gives back the capacity of a session that has ended",
    "edit_container_busy_loop": "the edit container's file watcher spins, using twice the CPU the task reserves",
    "edit_container_memory_bloat": "the edit container loads a cache that fills most of the task's memory",
    "capacity_limit_drops_half_burst": "Hermes counts starting sessions twice against capacity, refusing half a burst",
    "capacity_refusal_unclear": "Hermes answers an activation beyond capacity with an internal error, not 'try again'",
    "refused_activation_seeds_workspace": "Hermes seeds a site owner's workspace, then refuses for capacity and leaves it",
    "activation_refusal_names_every_field": "Hermes refuses every malformed activation with one reason that lists all its fields",
    "malformed_email_set_aside_without_reason": "the email intake sets unreadable messages aside with a reason that does not say what is wrong",
    "build_logged_before_it_runs": "the edit worker logs the build as done before it applies the instruction",
    # added with the per-scenario matrix, each for a Then that no fault of its scenario broke
    "last_task_kept_warm": "Hermes never scales the edit service down from its last task, keeping it as a warm spare",
    "email_session_forgotten": "the email intake starts a session that Hermes then forgets, so no task ever takes it",
    "unsafe_refusal_committed": "the edit worker records a refused unsafe instruction as a commit in the workspace",
    "taken_over_session_starts_afresh": "a task taking over a crashed task's session starts from a fresh site",
    "missing_client_reason_generic": "Hermes refuses an activation without a client with a reason that names nothing",
}

#: faults that can only be given at start (`STACK_FAULTS`), each with the reason
# Each defect that outlives its switch (held capacity, a stopped email intake) is undone by Hermes's
# reset (`/control/reset`), which the fault matrix calls after every run.
STARTUP_ONLY = {}
