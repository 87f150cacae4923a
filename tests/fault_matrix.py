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

PERSISTENCE = "features/preview/persistence.feature"
RESUMED = (PERSISTENCE, "A new session resumes the workspace after the edit service was forced down")
REACHES_OUT = (PERSISTENCE, "An instruction that reaches outside the project is refused and writes nothing")
CONCURRENCY = "features/preview/concurrency.feature"
TOGETHER = (CONCURRENCY, "Three site owners start sessions at the same moment and stay apart")
BEYOND_CAPACITY = (CONCURRENCY, "A site owner beyond the platform's capacity is asked to try again")
MALFORMED_CAPACITY = (CONCURRENCY, "Malformed requests for sessions take none of the platform's capacity")
ROUTING = "features/preview/routing.feature"
ROUTED = (ROUTING, "Health checks and a session's preview answer through the load balancer")
UNKNOWN_PREVIEW = (ROUTING, "The preview of a session that does not exist is not found")
NO_TARGET = (ROUTING, "With no edit container running the edit service is unavailable")
LIVE_RELOAD = (ROUTING, "An open preview reloads when the site owner's next instruction changes a page")
LIVE_RELOAD_REFUSED = (ROUTING, "Live reload for a session that is not there is refused with a reason")
RECOVERY = "features/preview/recovery.feature"
CRASH = (RECOVERY, "A crashed edit container is replaced and the session carries on")
RUSH = (RECOVERY, "A rush of activations while the session store throttles leaves nothing behind")
END_UNKNOWN = (RECOVERY, "Ending a session that is not there changes nothing")

EMAIL = "features/preview/email_intake.feature"
EMAILED = (EMAIL, "An emailed instruction starts a session and is acknowledged")
REPLY = (EMAIL, "A reply in the conversation continues the same work and workspace")
UNREADABLE = (EMAIL, "An unreadable message is set aside with a reason and the next email is still handled")

STUDIO_STORY = "features/studio/benchmark_story.feature"
STUDIO_SMOKE = (STUDIO_STORY, "A smoke load test dispatches its plan and reports its metrics")
STUDIO_PROMOTION = (STUDIO_STORY, "The benchmark's most profitable variant is promoted, then rolled back exactly")
STUDIO_RULES = "features/studio/rules.feature"
STUDIO_VARIANT_ID = (STUDIO_RULES, "A variant's id is stable and made of its parts")
STUDIO_INELIGIBLE = (STUDIO_RULES, "A variant that is not eligible cannot be promoted")
STUDIO_NOTHING_TO_ROLL_BACK = (STUDIO_RULES, "Rolling back an effect that was never routed fails clearly")
STUDIO_FINISHED_RUN = (STUDIO_RULES, "A finished load test cannot be cancelled")
STUDIO_QUALITY_FALLBACK = (STUDIO_RULES, "A quality evaluation without a provider key falls back")
STUDIO_RELIABILITY = (STUDIO_RULES, "A variant failing more often than the reliability limit is flagged")
STUDIO_ACCESS = "features/studio/access.feature"
STUDIO_NOT_ADMIN = (STUDIO_ACCESS, "A caller who is not an administrator of the tenant cannot change routing")
STUDIO_EXECUTOR = (STUDIO_ACCESS, "A dispatch executor with the wrong secret is turned away")
STUDIO_GATES = "features/studio/safety_gates.feature"
STUDIO_COST_GATE = (STUDIO_GATES, "A benchmark estimated above the cost limit does not start without an approval")
STUDIO_APPROVED = (STUDIO_GATES, "With an approval reference the same benchmark runs")
STUDIO_STOP = (STUDIO_GATES, "A load test that keeps failing is cancelled and its promotion rolled back")

SESSION_COST = ("features/preview/run_cost.feature",
                "One session's cost is measured and stays within the session cost limit")
REFUSED_COSTS_NOTHING = ("features/preview/run_cost.feature",
                         "A refused request starts no container, so it costs no container time")

PERF_STAGES = ("features/performance/stage_timings.feature",
               "An emailed instruction passes through every stage within its budget")
START_TIMES = "features/performance/start_times.feature"
WARM_BUDGET = (START_TIMES, "Starting again while the container still runs stays within the warm start budget")
WARM_SHARE = (START_TIMES, "A warm start takes a fraction of the time of a cold start")
LOAD = "features/performance/load.feature"
SUSTAINED = (LOAD, "Sessions arriving steadily for a short while start quickly within the containers' limits")
BURST = (LOAD, "A burst of site owners at once is served or clearly refused, and leaves nothing behind")

MATRIX = {
    "session_not_recorded": (*FIRST_EDIT, "the session is recorded for that site owner"),
    "no_scale_up": (*FIRST_EDIT, "an edit container is ready within the cold start budget"),
    "preview_not_served": (*FIRST_EDIT, "an edit container is ready within the cold start budget"),
    "preview_not_rebuilt": (*FIRST_EDIT, 'the preview shows a page titled "Test Page"'),
    "instruction_not_applied": (*FIRST_EDIT, 'the preview shows a page titled "Test Page"'),
    "workspace_not_persisted": (*FIRST_EDIT, 'the page "Test Page" is saved in the site owner\'s workspace'),
    "preview_not_published": (*FIRST_EDIT, "the preview is published for sharing"),
    "build_stage_not_logged": (*FIRST_EDIT, "the platform's logs show the instruction, build"),
    "activation_refusal_names_every_field": (*REFUSED, "the request is refused with a reason that names the"),
    "unknown_instruction_reported_done": (*NOT_UNDERSTOOD, "the session reports that the instruction was not"),
    "failed_instruction_committed": (*NOT_UNDERSTOOD, "nothing was committed to the site owner's workspace"),
    "idle_shutdown_disabled": (*IDLE, "no edit containers are running within the idle shutdown budget"),
    "session_never_expires": (*IDLE, "the session is marked as expired within the session expiry budget"),
    "malformed_activation_accepted": (*REFUSED, "the request is refused with a reason that names the"),
    "refused_activation_leaves_session": (*REFUSED, "no session or container was created"),
    "workspace_not_resumed": (*RESUMED, 'the component "Header" is still in the site owner\'s workspace'),
    "history_not_kept": (*RESUMED, 'the workspace history still shows the change "Create Header component"'),
    "update_not_committed": (*RESUMED, "the update is recorded as a new change on top of it"),
    "unsafe_path_accepted": (*REACHES_OUT, "the session reports that the instruction was refused as unsafe"),
    "path_checked_after_write": (*REACHES_OUT, "no file was written outside the site owner's project"),
    "session_id_from_clock": (*TOGETHER, "every site owner has a session recorded for them"),
    "scale_ignores_maximum": (*TOGETHER, "the edit service runs between one and its maximum number of containers"),
    "sessions_share_workspace": (*TOGETHER, "each site owner's page is in that owner's workspace and in no other"),
    "idle_tracked_per_service": (*TOGETHER, "the other site owners' sessions expire within the idle shutdown"),
    "idle_session_ends_all": (*TOGETHER, "the first site owner's session is still active"),
    "continues_another_users_session": (*BEYOND_CAPACITY, "no other site owner's workspace was changed"),
    "capacity_limit_ignored": (*BEYOND_CAPACITY, "that site owner is asked to try again later"),
    "capacity_refusal_leaves_session": (*BEYOND_CAPACITY, "no session was recorded for that site owner"),
    "refused_activation_holds_capacity": (*MALFORMED_CAPACITY, "every site owner has a session recorded for them"),
    "hermes_health_misrouted": (*ROUTED, "the session service reports healthy through the load balancer"),
    "api_not_routed": (*ROUTED, "the edit service reports healthy through the load balancer"),
    "preview_index_not_routed": (*ROUTED, "the session's preview is served under its own address"),
    "unknown_session_unavailable": (*UNKNOWN_PREVIEW, "the platform answers that it was not found"),
    "no_target_not_found": (*NO_TARGET, "the platform answers that it is unavailable"),
    "router_drops_websocket": (*LIVE_RELOAD, "the live reload connection is open through the load balancer"),
    "reload_not_sent": (*LIVE_RELOAD, "the preview is told to reload within the live reload budget"),
    "router_accepts_any_websocket": (*LIVE_RELOAD_REFUSED, "the live reload request is refused with a reason"),
    "task_not_replaced": (*CRASH, "the edit service replaces the container within the recovery budget"),
    "session_not_rehomed": (*CRASH, "the session's preview is back within the recovery budget"),
    "throttle_backoff_refuses_all": (*RUSH, "at least one of them gets a session"),
    "throttled_activation_errors": (*RUSH, "every other is asked to try again"),
    "throttled_activation_leaves_orphans": (*RUSH, "nothing is left behind by the refused requests"),
    "unknown_session_reported_draining": (*END_UNKNOWN, "the platform answers that there is no such session"),
    "deactivation_upserts_session": (*END_UNKNOWN, "nothing was recorded for that session"),
    "task_start_time_missing": (*SESSION_COST, "the estimate counts container time"),
    "runaway_scale_up": (*SESSION_COST, "the estimate stays within the session cost limit"),
    "refused_activation_starts_task": (*REFUSED_COSTS_NOTHING, "no session or container was created"),
    "email_thread_not_mapped": (*EMAILED, "a session is started for the email's conversation"),
    "acknowledgement_without_conversation_id": (*EMAILED, "the site owner receives an acknowledgement"),
    "email_subject_taken_as_instruction": (*EMAILED, 'the preview shows a page titled "Contact"'),
    "reply_starts_new_conversation": (*REPLY, "the reply is handled in the same conversation"),
    "reply_sender_normalised": (*REPLY, "the site owner's workspace holds the pages"),
    "malformed_email_dropped": (*UNREADABLE, "the unreadable message is set aside with a reason"),
    "malformed_email_set_aside_without_reason": (*UNREADABLE, "the unreadable message is set aside with a reason"),
    "consumer_stops_after_malformed": (*UNREADABLE, "a session is started for the email's conversation"),
    "load_test_never_finishes": (*STUDIO_SMOKE, "the load test finishes within the studio load test budget"),
    "load_test_metrics_not_aggregated": (*STUDIO_SMOKE, "the load test reports every planned dispatch"),
    "matrix_missing_item": (*STUDIO_PROMOTION, "the benchmark has one item with its dispatch records"),
    "matrix_dispatch_artifacts_missing": (*STUDIO_APPROVED, "the benchmark has one item with its dispatch records"),
    "quality_evaluation_not_linked": (*STUDIO_PROMOTION, "every variant's output has a quality evaluation"),
    "money_hud_wrong_winner": (*STUDIO_PROMOTION, "the money HUD names the variant with the highest margin"),
    "money_hud_fastest_wins": (*STUDIO_PROMOTION, "the money HUD names the variant with the highest margin"),
    "routing_recommendation_missing": (*STUDIO_PROMOTION, "the money HUD recommends routing to the winner"),
    "routing_recommendation_wrong_margin": (*STUDIO_PROMOTION, "the money HUD recommends routing to the winner"),
    "apply_keeps_previous_binding": (*STUDIO_PROMOTION, "the winner is the active routing for the effect"),
    "rollback_restores_wrong_binding": (*STUDIO_PROMOTION, "the routing is exactly what it was before the promotion"),
    "warn_log_without_instruction": (*STUDIO_PROMOTION, "every warning the studio logged for this work carries"),
    "variant_id_not_deterministic": (*STUDIO_VARIANT_ID, "every variant has the same id both times"),
    "variant_id_wrong_parts": (*STUDIO_VARIANT_ID, "every variant's id is made of its effect, workflow"),
    "apply_accepts_ineligible_variant": (*STUDIO_INELIGIBLE, "the request is refused because the variant is not"),
    "refused_apply_deactivates_binding": (*STUDIO_INELIGIBLE, "the effect's routing is unchanged"),
    "refused_apply_rewrites_binding": (*STUDIO_INELIGIBLE, "the effect's routing is unchanged"),
    "rollback_without_history_succeeds": (*STUDIO_NOTHING_TO_ROLL_BACK, "the request is refused because there is"),
    "failed_rollback_routes_default": (*STUDIO_NOTHING_TO_ROLL_BACK, "the effect still has no routing"),
    "cancel_of_finished_run_accepted": (*STUDIO_FINISHED_RUN, "the request is refused because the load test"),
    "refused_cancel_changes_status": (*STUDIO_FINISHED_RUN, "the load test is reported as completed"),
    "quality_fallback_wrong_score": (*STUDIO_QUALITY_FALLBACK, "every evaluation has the neutral fallback score"),
    "quality_fallback_not_logged": (*STUDIO_QUALITY_FALLBACK, "a warning for every fallback tells the operator"),
    "reliability_recommendation_missing": (*STUDIO_RELIABILITY, "every variant failing more often than the"),
    "reliability_recommendation_for_reliable_variant": (*STUDIO_RELIABILITY, "no variant within the reliability"),
    "non_admin_allowed": (*STUDIO_NOT_ADMIN, "the request is refused because administrator access"),
    "tenant_not_required": (*STUDIO_NOT_ADMIN, "the request is refused because a tenant is required"),
    "refused_request_still_applied": (*STUDIO_NOT_ADMIN, "the effect's routing is unchanged"),
    "executor_secret_not_checked": (*STUDIO_EXECUTOR, "the request is refused because the executor secret"),
    "refused_submission_recorded": (*STUDIO_EXECUTOR, "no dispatch was recorded for the load test"),
    "cost_gate_not_enforced": (*STUDIO_COST_GATE, "the benchmark is refused before anything is created"),
    "stop_condition_ignored": (*STUDIO_STOP, "the stop condition stops the load test"),
    "cancel_does_not_stop_run": (*STUDIO_STOP, "the load test is reported as cancelled"),
    "rollback_keeps_promoted_binding": (*STUDIO_STOP, "the routing is exactly what it was before the promotion"),
    "slow_build_stage": (*PERF_STAGES, "each stage of the flow is within its budget"),
    "build_logged_before_it_runs": (*PERF_STAGES, "each stage of the flow is within its budget"),
    "edit_stages_throttled": (*PERF_STAGES, "the whole flow is within the whole flow budget"),
    "warm_start_reinstalls_dependencies": (*WARM_BUDGET, "every warm start is within the warm start budget"),
    "warm_start_as_slow_as_cold": (*WARM_SHARE, "the average warm start takes less than its share"),
    "slow_task_assignment": (*SUSTAINED, "the time for sessions to start meets its thresholds"),
    "ended_sessions_hold_capacity": (*SUSTAINED, "the share of sessions that start meets its thresholds"),
    "edit_container_busy_loop": (*SUSTAINED, "the edit containers' processor use meets its thresholds"),
    "edit_container_memory_bloat": (*SUSTAINED, "the edit containers' memory use meets its thresholds"),
    "capacity_limit_drops_half_burst": (*BURST, "the share of sessions that start meets its thresholds"),
    "capacity_refusal_unclear": (*BURST, "every site owner who was refused was told clearly to try again"),
    "refused_activation_seeds_workspace": (*BURST, "nothing is left behind for the site owners who were refused"),
}


def _by_id_tag(matrix):
    """{fault: (feature, scenario, step)} from an area's {fault: (id tag, step)}, by reading the features.

    Temporary, until this matrix is keyed by id tags too: the gateway's entries join it here."""
    import glob
    import os

    from behave.parser import parse_file

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    scenarios = {}
    for path in glob.glob(os.path.join(root, "features", "*", "*.feature")):
        for scenario in parse_file(path).scenarios:
            for tag in scenario.tags:
                scenarios[f"@{tag}"] = (os.path.relpath(path, root), scenario.name)
    return {fault: (*scenarios[tag], step) for fault, (tag, step) in matrix.items()}


from tests.fault_matrix_gateway import MATRIX as _GATEWAY  # noqa: E402

MATRIX.update(_by_id_tag(_GATEWAY))

# The guardian's matrix is keyed by scenario id tags (tests/fault_matrix_guardian.py).
from tests.fault_matrix_guardian import as_feature_scenario_step  # noqa: E402

MATRIX.update(as_feature_scenario_step())
