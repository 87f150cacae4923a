"""Which step of which scenario must fail when each fault is switched on: fault -> (scenario id, the
start of the Then step's text).

Each fault runs only the scenario whose id it names (`behave --tags=@<id>`), so a fault cannot pass
the matrix by breaking a later scenario's set-up. tests/test_matrix_coverage.py proves that every
Then of every scenario is named here by a fault of that scenario.
"""
MATRIX = {
    "record_waits_for_audit_flush": ("id.guardian.speed.sustained", "the guardian records at least"),
    "repeat_written_before_check": (
        "id.guardian.false_positives.repeat_other_time", 'the rule holds exactly one event "e1", with outcome "block"'),
    "records_refused_now_and_then": ("id.guardian.speed.sustained", "every offered event is recorded"),
    "gateway_refused_chat_forwarded": ("id.gateway.access.refused", "no answer or trace was created"),
    "gateway_scope_not_checked": ("id.gateway.access.refused", "the gateway refuses the request because"),
    "gateway_tenantless_token_accepted": ("id.gateway.access.refused", "the gateway refuses the request because"),
    "gateway_read_scope_can_cancel": (
        "id.gateway.access.scopes", "tenant A's read-only user can read the trace but cannot cancel it"),
    "gateway_write_implies_read": ("id.gateway.access.scopes", "tenant A's write-only user cannot read the trace"),
    "gateway_audit_duplicated": ("id.gateway.books.audit", "the audit log records each of those events once"),
    "gateway_audit_pii_unmasked": ("id.gateway.books.audit", "no audit line holds a token, the credentials"),
    "gateway_chat_counted_twice": (
        "id.gateway.books.metrics", "the request, chat, rate-limit and denial counters rose by exactly"),
    "gateway_raw_id_label": ("id.gateway.books.metrics", "no metric label holds a trace reference"),
    "gateway_tenant_label_anon": (
        "id.gateway.books.metrics", "the request, chat, rate-limit and denial counters rose by exactly"),
    "gateway_expiry_not_enforced": (
        "id.gateway.cancellation.expired", "its graph is gone for good within the trace expiry budget"),
    "gateway_cancel_finished_accepted": (
        "id.gateway.cancellation.finished", "the cancellation is refused because the trace has already"),
    "gateway_cancel_ignored": ("id.gateway.cancellation.running", "the trace ends cancelled, without a graph"),
    "gateway_cancel_running_refused": ("id.gateway.cancellation.running", "the cancellation is accepted"),
    "gateway_chart_replicas_capped": (
        "id.gateway.deployment.capacity", "the replicas needed at the target concurrency are within"),
    "gateway_chart_missing_network_policy": (
        "id.gateway.deployment.manifest", "the manifest holds deployments, services"),
    "gateway_chart_no_gpu_provisioner": (
        "id.gateway.deployment.manifest", "node provisioners exist for CPU and for GPU nodes"),
    "gateway_chart_scaler_drift": (
        "id.gateway.deployment.manifest", "the scaled object's replica bounds and backlog target agree"),
    "gateway_stream_no_completion": (
        "id.gateway.explained_answer.live_stream", "the stream ends by announcing the completion"),
    "gateway_stream_skips_progress": (
        "id.gateway.explained_answer.live_stream", "the stream announces progress through the stages in order"),
    "gateway_chat_stream_empty": (
        "id.gateway.explained_answer.streamed", "the answer arrives in several pieces of text and ends properly"),
    "gateway_graph_wrong_granularity": (
        "id.gateway.explained_answer.token_graph", "the trace's graph is a valid hypergraph"),
    "gateway_token_attribution_hangs": (
        "id.gateway.explained_answer.token_graph", "the trace completes within the trace complete budget"),
    "gateway_graph_missing_incidences": (
        "id.gateway.explained_answer.trace_completes", "the trace's graph is a valid hypergraph"),
    "gateway_status_never_progresses": (
        "id.gateway.explained_answer.trace_completes", "the trace completes within the trace complete budget"),
    "gateway_trace_id_not_returned": (
        "id.gateway.explained_answer.trace_completes", "the answer arrives with a trace reference the gateway knows"),
    "gateway_webhook_not_sent": (
        "id.gateway.explained_answer.webhook", "the webhook receives the trace's completion"),
    "gateway_webhook_signature_wrong": (
        "id.gateway.explained_answer.webhook", "the webhook's signature verifies with the secret"),
    "gateway_failure_hangs": (
        "id.gateway.failure_recovery.attribution", "the trace fails with a reason within the trace complete budget"),
    "gateway_no_recovery": (
        "id.gateway.failure_recovery.attribution", "the trace completes within the trace complete budget"),
    "gateway_malformed_body_500": (
        "id.gateway.published_api.no_open_operation", "every malformed request is refused with a reason"),
    "gateway_unauthenticated_webhook_register": (
        "id.gateway.published_api.no_open_operation", "every call without credentials is refused"),
    "gateway_accepted_trace_dropped": (
        "id.gateway.slowing_down.queue_burst", "every accepted trace completes with a valid hypergraph"),
    "gateway_queue_rejections_not_counted": (
        "id.gateway.slowing_down.queue_burst", "the metrics count every refusal for the queue"),
    "gateway_queue_unbounded": (
        "id.gateway.slowing_down.queue_burst", "some are accepted and the rest are told to come back later"),
    "gateway_burst_ignored": ("id.gateway.slowing_down.rate_limit", "only after its burst of reads was used up"),
    "gateway_rate_limit_shared": ("id.gateway.slowing_down.rate_limit", "at that moment tenant A is still served"),
    "gateway_retry_after_missing": (
        "id.gateway.slowing_down.rate_limit", "tenant B is told to come back later with a wait in whole seconds"),
    "gateway_completion_batched": (
        "id.gateway.speed.explanation_latency", "the 95th percentile of explanation latency is within the"),
    "gateway_trace_lost_now_and_then": ("id.gateway.speed.explanation_latency", "every explanation completes"),
    "gateway_cross_tenant_denial_not_audited": (
        "id.gateway.tenant_isolation.audited", "the audit log shows every attempt as a denial"),
    "gateway_cross_tenant_cancel": (
        "id.gateway.tenant_isolation.other_tenant", "every attempt is refused as if the trace did not exist"),
    "gateway_cross_tenant_read": (
        "id.gateway.tenant_isolation.other_tenant", "every attempt is refused as if the trace did not exist"),
    "gateway_refused_cancel_applied": (
        "id.gateway.tenant_isolation.other_tenant",
        "tenant A's trace still completes within the trace complete budget"),
    "malformed_event_stored": ("id.guardian.bad_input.refused", "nothing is stored for the rule"),
    "refusals_do_not_name_field": ("id.guardian.bad_input.refused", "the event is refused with a reason"),
    "baselines_unencrypted": ("id.guardian.baselines.encrypted", "every stored version"),
    "missing_baseline_is_error": ("id.guardian.baselines.none", "the repository has no baseline"),
    "baseline_returns_oldest": ("id.guardian.baselines.versions", "the repository's baseline has 5 rules"),
    "baselines_unversioned": ("id.guardian.baselines.versions", "the repository has 2 baseline versions"),
    "breaker_bucket_without_expiry": ("id.guardian.circuit_breaker.hourly_bucket", "the count is kept in one bucket"),
    "breaker_counts_per_organisation": (
        "id.guardian.circuit_breaker.one_organisation", "another rule is not stopped"),
    "breaker_trips_above_threshold": (
        "id.guardian.circuit_breaker.one_organisation", "the rule is stopped for the first organisation"),
    "breaker_trips_every_organisation": (
        "id.guardian.circuit_breaker.one_organisation", "the rule is not stopped for the second organisation"),
    "increments_lost_under_concurrency": ("id.guardian.circuit_breaker.parallel", "the rule's count for"),
    "breaker_keys_collide": ("id.guardian.circuit_breaker.separator", "the rule of the second pair is not stopped"),
    "breaker_reads_unescaped_key": ("id.guardian.circuit_breaker.separator", "the rule of the first pair is stopped"),
    "expired_consent_valid": ("id.guardian.consent.expired", "consent for the primary scope is not valid"),
    "consent_looked_up_in_clear": ("id.guardian.consent.granted", "consent for the primary scope is valid"),
    "consent_scope_ignored": ("id.guardian.consent.granted", "consent for the secondary scope is not valid"),
    "organisation_copied_into_consent": ("id.guardian.consent.hashed", "the organisation's id appears nowhere"),
    "organisation_stored_in_clear": ("id.guardian.consent.hashed", "the stored consent is keyed by the SHA-256"),
    "revoked_consent_valid": ("id.guardian.consent.revoked", "consent for the primary scope is not valid"),
    "expiry_in_other_attribute": ("id.guardian.false_positives.expiry", "the stored event expires"),
    "finding_looked_up_by_other_key": ("id.guardian.false_positives.marked", "the finding of event"),
    "reviewer_not_recorded": ("id.guardian.false_positives.marked", 'the event "e1" records that'),
    "events_oldest_first": ("id.guardian.false_positives.newest_first", "the events are"),
    "duplicate_event_accepted": (
        "id.guardian.false_positives.recorded_once", "the repeat is refused because the event is already recorded"),
    "refused_duplicate_overwrites": ("id.guardian.false_positives.recorded_once", "the rule holds exactly one event"),
    "duplicate_other_timestamp_accepted": (
        "id.guardian.false_positives.repeat_other_time",
        "the repeat is refused because the event is already recorded"),
    "window_since_ignored": ("id.guardian.false_positives.window_since", "the events are"),
    "false_positive_rate_over_all_events": (
        "id.guardian.false_positives.window_statistics", "the observed false-positive rate"),
    "pending_counts_reviewed": ("id.guardian.false_positives.window_statistics", "the window counts"),
    "nonce_provisioned_as_plain_text": ("id.guardian.provisioning.as_agreed", "the check finds the"),
    "redaction_first_match_only": ("id.guardian.redaction.every_match", "none of the secrets is left"),
    "redaction_mac_truncated": ("id.guardian.redaction.every_match", "the redacted text carries the brand"),
    "validation_key_as_text": ("id.guardian.redaction.every_match", "the redaction is valid"),
    "redaction_keeps_first_nonce": ("id.guardian.redaction.rotation", "a new redaction uses the new nonce version"),
    "rotation_overwrites_old_nonce": ("id.guardian.redaction.rotation", "a new nonce version exists"),
    "rotation_retires_old_nonce": ("id.guardian.redaction.rotation", "the text redacted before the rotation"),
    "tampered_value_accepted": ("id.guardian.redaction.tampering", "the redaction is not valid"),
    "busy_guardian_refuses_records": ("id.guardian.speed.burst", "every offered event is recorded"),
    "records_serialised": ("id.guardian.speed.burst", "the guardian records at least"),
    "nonce_reloaded_slowly": ("id.guardian.speed.latency", "its 95th percentile is within"),
    "window_fetched_one_by_one": ("id.guardian.speed.latency", "its mean time is within"),
    "capacity_limit_drops_half_burst": (
        "id.performance.load.burst", "the share of sessions that start meets its thresholds"),
    "capacity_refusal_unclear": (
        "id.performance.load.burst", "every site owner who was refused was told clearly to try again"),
    "refused_activation_seeds_workspace": (
        "id.performance.load.burst", "nothing is left behind for the site owners who were refused"),
    "edit_container_busy_loop": (
        "id.performance.load.steady_arrivals", "the edit containers' processor use meets its thresholds"),
    "edit_container_memory_bloat": (
        "id.performance.load.steady_arrivals", "the edit containers' memory use meets its thresholds"),
    "ended_sessions_hold_capacity": (
        "id.performance.load.steady_arrivals", "the share of sessions that start meets its thresholds"),
    "slow_task_assignment": (
        "id.performance.load.steady_arrivals", "the time for sessions to start meets its thresholds"),
    "build_logged_before_it_runs": (
        "id.performance.stage_timings.every_stage", "each stage of the flow is within its budget"),
    "edit_stages_throttled": (
        "id.performance.stage_timings.every_stage", "the whole flow is within the whole flow budget"),
    "slow_build_stage": ("id.performance.stage_timings.every_stage", "each stage of the flow is within its budget"),
    "warm_start_as_slow_as_cold": (
        "id.performance.start_times.warm_share_of_cold", "the average warm start takes less than its share"),
    "warm_start_reinstalls_dependencies": (
        "id.performance.start_times.warm_start_budget", "every warm start is within the warm start budget"),
    "build_stage_not_logged": (
        "id.preview.cold_start.first_instruction", "the platform's logs show the instruction, build"),
    "instruction_not_applied": (
        "id.preview.cold_start.first_instruction", 'the preview shows a page titled "Test Page"'),
    "no_scale_up": (
        "id.preview.cold_start.first_instruction", "an edit container is ready within the cold start budget"),
    "preview_not_published": ("id.preview.cold_start.first_instruction", "the preview is published for sharing"),
    "preview_not_rebuilt": ("id.preview.cold_start.first_instruction", 'the preview shows a page titled "Test Page"'),
    "preview_not_served": (
        "id.preview.cold_start.first_instruction", "an edit container is ready within the cold start budget"),
    "session_not_recorded": (
        "id.preview.cold_start.first_instruction", "the session is recorded for that site owner"),
    "workspace_not_persisted": (
        "id.preview.cold_start.first_instruction", 'the page "Test Page" is saved in the site owner\'s workspace'),
    "idle_shutdown_disabled": (
        "id.preview.cold_start.idle_shutdown", "no edit containers are running within the idle shutdown budget"),
    "session_never_expires": (
        "id.preview.cold_start.idle_shutdown", "the session is marked as expired within the session expiry budget"),
    "activation_refusal_names_every_field": (
        "id.preview.cold_start.malformed_activation", "the request is refused with a reason that names the"),
    "malformed_activation_accepted": (
        "id.preview.cold_start.malformed_activation", "the request is refused with a reason that names the"),
    "refused_activation_leaves_session": (
        "id.preview.cold_start.malformed_activation", "no session or container was created"),
    "failed_instruction_committed": (
        "id.preview.cold_start.not_understood", "nothing was committed to the site owner's workspace"),
    "unknown_instruction_reported_done": (
        "id.preview.cold_start.not_understood", "the session reports that the instruction was not"),
    "capacity_limit_ignored": (
        "id.preview.concurrency.beyond_capacity", "that site owner is asked to try again later"),
    "capacity_refusal_leaves_session": (
        "id.preview.concurrency.beyond_capacity", "no session was recorded for that site owner"),
    "continues_another_users_session": (
        "id.preview.concurrency.beyond_capacity", "no other site owner's workspace was changed"),
    "refused_activation_holds_capacity": (
        "id.preview.concurrency.malformed_requests_take_no_capacity",
        "every site owner has a session recorded for them"),
    "idle_session_ends_all": (
        "id.preview.concurrency.simultaneous_owners", "the first site owner's session is still active"),
    "idle_tracked_per_service": (
        "id.preview.concurrency.simultaneous_owners",
        "the other site owners' sessions expire within the idle shutdown"),
    "last_task_kept_warm": (
        "id.preview.concurrency.simultaneous_owners",
        "no edit containers are running within the idle shutdown budget"),
    "scale_ignores_maximum": (
        "id.preview.concurrency.simultaneous_owners",
        "the edit service runs between one and its maximum number of containers"),
    "session_id_from_clock": (
        "id.preview.concurrency.simultaneous_owners", "every site owner has a session recorded for them"),
    "sessions_share_workspace": (
        "id.preview.concurrency.simultaneous_owners",
        "each site owner's page is in that owner's workspace and in no other"),
    "acknowledgement_without_conversation_id": (
        "id.preview.email_intake.emailed_instruction", "the site owner receives an acknowledgement"),
    "email_session_forgotten": (
        "id.preview.email_intake.emailed_instruction", "an edit container is ready within the cold start budget"),
    "email_subject_taken_as_instruction": (
        "id.preview.email_intake.emailed_instruction", 'the preview shows a page titled "Contact"'),
    "email_thread_not_mapped": (
        "id.preview.email_intake.emailed_instruction", "a session is started for the email's conversation"),
    "reply_sender_normalised": (
        "id.preview.email_intake.reply_continues", "the site owner's workspace holds the pages"),
    "reply_starts_new_conversation": (
        "id.preview.email_intake.reply_continues", "the reply is handled in the same conversation"),
    "consumer_stops_after_malformed": (
        "id.preview.email_intake.unreadable_message", "a session is started for the email's conversation"),
    "malformed_email_dropped": (
        "id.preview.email_intake.unreadable_message", "the unreadable message is set aside with a reason"),
    "malformed_email_set_aside_without_reason": (
        "id.preview.email_intake.unreadable_message", "the unreadable message is set aside with a reason"),
    "path_checked_after_write": (
        "id.preview.persistence.outside_project_refused", "no file was written outside the site owner's project"),
    "unsafe_path_accepted": (
        "id.preview.persistence.outside_project_refused",
        "the session reports that the instruction was refused as unsafe"),
    "unsafe_refusal_committed": (
        "id.preview.persistence.outside_project_refused", "nothing was committed to the site owner's workspace"),
    "history_not_kept": (
        "id.preview.persistence.resumed_after_forced_down",
        'the workspace history still shows the change "Create Header component"'),
    "update_not_committed": (
        "id.preview.persistence.resumed_after_forced_down", "the update is recorded as a new change on top of it"),
    "workspace_not_resumed": (
        "id.preview.persistence.resumed_after_forced_down",
        'the component "Header" is still in the site owner\'s workspace'),
    "session_not_rehomed": (
        "id.preview.recovery.crashed_container_replaced", "the session's preview is back within the recovery budget"),
    "taken_over_session_starts_afresh": (
        "id.preview.recovery.crashed_container_replaced",
        'the component "Header" is still in the site owner\'s workspace'),
    "task_not_replaced": (
        "id.preview.recovery.crashed_container_replaced",
        "the edit service replaces the container within the recovery budget"),
    "deactivation_upserts_session": (
        "id.preview.recovery.end_unknown_session", "nothing was recorded for that session"),
    "unknown_session_reported_draining": (
        "id.preview.recovery.end_unknown_session", "the platform answers that there is no such session"),
    "throttle_backoff_refuses_all": ("id.preview.recovery.throttled_rush", "at least one of them gets a session"),
    "throttled_activation_errors": ("id.preview.recovery.throttled_rush", "every other is asked to try again"),
    "throttled_activation_leaves_orphans": (
        "id.preview.recovery.throttled_rush", "nothing is left behind by the refused requests"),
    "api_not_routed": (
        "id.preview.routing.health_and_preview", "the edit service reports healthy through the load balancer"),
    "hermes_health_misrouted": (
        "id.preview.routing.health_and_preview", "the session service reports healthy through the load balancer"),
    "preview_index_not_routed": (
        "id.preview.routing.health_and_preview", "the session's preview is served under its own address"),
    "reload_not_sent": (
        "id.preview.routing.live_reload", "the preview is told to reload within the live reload budget"),
    "router_drops_websocket": (
        "id.preview.routing.live_reload", "the live reload connection is open through the load balancer"),
    "router_accepts_any_websocket": (
        "id.preview.routing.live_reload_refused", "the live reload request is refused with a reason"),
    "no_target_not_found": (
        "id.preview.routing.no_target_unavailable", "the platform answers that it is unavailable"),
    "unknown_session_unavailable": (
        "id.preview.routing.unknown_session_not_found", "the platform answers that it was not found"),
    "missing_client_reason_generic": (
        "id.preview.run_cost.refused_costs_nothing", "the request is refused with a reason that names the client"),
    "refused_activation_starts_task": (
        "id.preview.run_cost.refused_costs_nothing", "no session or container was created"),
    "runaway_scale_up": ("id.preview.run_cost.session_cost", "the estimate stays within the session cost limit"),
    "task_start_time_missing": ("id.preview.run_cost.session_cost", "the estimate counts container time"),
    "executor_secret_not_checked": (
        "id.studio.access.executor_wrong_secret", "the request is refused because the executor secret"),
    "refused_submission_recorded": (
        "id.studio.access.executor_wrong_secret", "no dispatch was recorded for the load test"),
    "anonymous_refused_as_non_admin": (
        "id.studio.access.not_admin_refused", "the request is refused because the caller is not signed in"),
    "non_admin_allowed": (
        "id.studio.access.not_admin_refused", "the request is refused because administrator access"),
    "refused_request_still_applied": ("id.studio.access.not_admin_refused", "the effect's routing is unchanged"),
    "tenant_not_required": (
        "id.studio.access.not_admin_refused", "the request is refused because a tenant is required"),
    "apply_keeps_previous_binding": (
        "id.studio.benchmark_story.promotion_rolled_back", "the winner is the active routing for the effect"),
    "matrix_missing_item": (
        "id.studio.benchmark_story.promotion_rolled_back", "the benchmark has one item with its dispatch records"),
    "money_hud_fastest_wins": (
        "id.studio.benchmark_story.promotion_rolled_back", "the money HUD names the variant with the highest margin"),
    "money_hud_wrong_winner": (
        "id.studio.benchmark_story.promotion_rolled_back", "the money HUD names the variant with the highest margin"),
    "quality_evaluation_not_linked": (
        "id.studio.benchmark_story.promotion_rolled_back", "every variant's output has a quality evaluation"),
    "rollback_restores_wrong_binding": (
        "id.studio.benchmark_story.promotion_rolled_back", "the routing is exactly what it was before the promotion"),
    "routing_recommendation_missing": (
        "id.studio.benchmark_story.promotion_rolled_back", "the money HUD recommends routing to the winner"),
    "routing_recommendation_wrong_margin": (
        "id.studio.benchmark_story.promotion_rolled_back", "the money HUD recommends routing to the winner"),
    "warn_log_without_instruction": (
        "id.studio.benchmark_story.promotion_rolled_back", "every warning the studio logged for this work carries"),
    "fallback_warning_without_instruction": (
        "id.studio.benchmark_story.smoke_load_test", "every warning the studio logged for this work carries"),
    "load_test_metrics_not_aggregated": (
        "id.studio.benchmark_story.smoke_load_test", "the load test reports every planned dispatch"),
    "load_test_never_finishes": (
        "id.studio.benchmark_story.smoke_load_test", "the load test finishes within the studio load test budget"),
    "cancel_of_finished_run_accepted": (
        "id.studio.rules.finished_run_not_cancelled", "the request is refused because the load test"),
    "refused_cancel_changes_status": (
        "id.studio.rules.finished_run_not_cancelled", "the load test is reported as completed"),
    "apply_accepts_ineligible_variant": (
        "id.studio.rules.ineligible_not_promoted", "the request is refused because the variant is not"),
    "refused_apply_deactivates_binding": (
        "id.studio.rules.ineligible_not_promoted", "the effect's routing is unchanged"),
    "refused_apply_rewrites_binding": (
        "id.studio.rules.ineligible_not_promoted", "the effect's routing is unchanged"),
    "failed_rollback_routes_default": ("id.studio.rules.nothing_to_roll_back", "the effect still has no routing"),
    "rollback_without_history_succeeds": (
        "id.studio.rules.nothing_to_roll_back", "the request is refused because there is"),
    "quality_fallback_not_logged": (
        "id.studio.rules.quality_fallback", "a warning for every fallback tells the operator"),
    "quality_fallback_wrong_score": (
        "id.studio.rules.quality_fallback", "every evaluation has the neutral fallback score"),
    "reliability_recommendation_for_reliable_variant": (
        "id.studio.rules.reliability_flagged", "no variant within the reliability"),
    "reliability_recommendation_missing": (
        "id.studio.rules.reliability_flagged", "every variant failing more often than the"),
    "variant_id_not_deterministic": ("id.studio.rules.variant_id_stable", "every variant has the same id both times"),
    "variant_id_wrong_parts": (
        "id.studio.rules.variant_id_stable", "every variant's id is made of its effect, workflow"),
    "matrix_dispatch_artifacts_missing": (
        "id.studio.safety_gates.approved_benchmark", "the benchmark has one item with its dispatch records"),
    "cost_gate_not_enforced": (
        "id.studio.safety_gates.cost_gate", "the benchmark is refused before anything is created"),
    "cancel_does_not_stop_run": ("id.studio.safety_gates.stop_condition", "the load test is reported as cancelled"),
    "rollback_keeps_promoted_binding": (
        "id.studio.safety_gates.stop_condition", "the routing is exactly what it was before the promotion"),
    "stop_condition_ignored": ("id.studio.safety_gates.stop_condition", "the stop condition stops the load test"),
}

#: scenarios proved through another one: a @slow scenario whose Then steps are word for word those
#: of a scenario the matrix runs (so the same step code is proved to fail), without its minutes of load
PROVED_BY = {
    "id.performance.sustained_load.steady_arrivals": "id.performance.load.steady_arrivals",
}

#: Thens that judge the suite's own code, not the stack (the guardian's infrastructure check): no fault
#: of the stack can break them, so the unit tests named here prove them, against environments built
#: wrong on purpose
PROVEN_BY_UNIT_TESTS = {
    "the check reports exactly these differences": "tests/stack/test_guardian_check.py",
    "the check changed nothing in that environment": "tests/stack/test_guardian_check.py",
}
