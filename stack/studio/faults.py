"""The studio's named defects: load tests, the benchmark matrix, quality, the money HUD, routing,
access and the safety gates. The studio server owns the switch (`/control/faults` on its own port).
"""


def control_url(state):
    """Where this area's faults are switched at run time, from the stack's state file."""
    return state["studio"]["base_url"] + "/control/faults"


FAULTS = {
    # load tests, benchmark matrix, quality, money HUD
    "load_test_never_finishes": "an inline load test stops dispatching halfway and never completes",
    "load_test_metrics_not_aggregated": "load-test dispatches are recorded but never added up into the run's metrics",
    "matrix_missing_item": "a benchmark matrix run leaves out the last eligible variant",
    "matrix_dispatch_artifacts_missing": "benchmark matrix items are created without their dispatch artifacts",
    "quality_evaluation_not_linked": "quality evaluations are stored without their benchmark run, so the run lists none",
    "money_hud_wrong_winner": "the money HUD names the variant with the lowest compute cost as winner, not the best margin",
    "routing_recommendation_missing": "the money HUD names a winner but recommends no routing change",
    "reliability_recommendation_missing": "the money HUD gives no reliability advice for variants failing above 5 %",
    "reliability_recommendation_for_reliable_variant": "the money HUD asks to investigate every variant, reliable or not",
    "quality_fallback_wrong_score": "a quality evaluation without a provider key scores 0 instead of the neutral 0.5",
    "quality_fallback_not_logged": "a quality evaluation without a provider key logs no fallback warning",
    "variant_id_not_deterministic": "the variant registry appends a random suffix to every variant id",
    "variant_id_wrong_parts": "the variant registry swaps the workflow and the environment in variant ids",
    # routing, cancellation, action logs
    "apply_keeps_previous_binding": "routing apply adds the new binding but leaves the previous one active",
    "apply_accepts_ineligible_variant": "routing apply accepts a variant that is not eligible for the effect revision",
    "refused_apply_deactivates_binding": "routing apply deactivates the active binding before checking eligibility",
    "rollback_restores_wrong_binding": "routing rollback restores the effect's first binding, not the one it replaced",
    "rollback_keeps_promoted_binding": "routing rollback activates the restored binding but leaves the rolled-back one active",
    "rollback_without_history_succeeds": "a rollback with nothing to roll back to answers success",
    "failed_rollback_routes_default": "a rollback with nothing to roll back to routes the effect to a default, then fails",
    "cancel_of_finished_run_accepted": "cancelling a finished load test is accepted and marks it cancelled",
    "refused_cancel_changes_status": "cancelling a finished load test is refused but marks it cancelled anyway",
    "warn_log_without_instruction": "warn and critical action log entries are written without an operator instruction",
    # access and safety gates
    "non_admin_allowed": "the studio lets signed-in users who are not admins use the admin API",
    "tenant_not_required": "the studio serves requests without a tenant (a central Host or a tenant-less user)",
    "refused_request_still_applied": "the studio refuses a caller only after writing the change they asked for",
    "executor_secret_not_checked": "the dispatch executor endpoint ignores a wrong executor secret",
    "refused_submission_recorded": "the dispatch executor endpoint records dispatches before refusing a wrong secret",
    "cost_gate_not_enforced": "the variant registry under-states cost ceilings a hundredfold, so over-limit runs pass",
    "stop_condition_ignored": "a running load test reports failed dispatches as successes until it ends",
    "cancel_does_not_stop_run": "cancelling a running load test answers 'cancelled' but the run keeps running",
    "money_hud_fastest_wins": "the money HUD names the fastest variant as winner, not the one with the best margin",
    "routing_recommendation_wrong_margin": "the money HUD's routing recommendation expects the whole benchmark's margin",
    "refused_apply_rewrites_binding": "routing apply writes the new variant into the active binding before checking eligibility",
    # added with the per-scenario matrix, each for a Then that no fault of its scenario broke
    "anonymous_refused_as_non_admin": "the studio refuses a caller without a token as 'not an administrator'",
    "fallback_warning_without_instruction": "the inline-fallback warning of a load test carries no operator instruction",
}

#: faults that can only be given at start (`STACK_FAULTS`), each with the reason
STARTUP_ONLY = {}
