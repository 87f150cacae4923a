"""The money HUD of a benchmark matrix run: one row of economics per variant, the winner (the row
with the highest margin) and what to do next (route to the winner, investigate unreliable
variants, scale bottlenecked ones)."""
from stack.studio.validation import Field, validate

QUERY = {"benchmark_matrix_run_id": Field("integer", required=True, exists="benchmark_matrix_runs")}
# The contract's reliability rule: a variant failing more often than this needs investigating.
RELIABILITY_LIMIT_PERCENT = 5.0
# A variant that waits in the queue for more than half its processing time lacks capacity.
QUEUE_SHARE_LIMIT = 0.5
# Processing p95 above this many seconds means the environment's compute is the bottleneck.
COMPUTE_P95_LIMIT_S = 8.0
SUMMED = ("dispatch_count", "success_count", "failure_count", "processing_seconds_total", "compute_cost_usd",
          "partner_cost_usd", "estimated_revenue_usd", "margin_usd")


def _bottleneck(metrics):
    if metrics["failure_rate_percent"] > RELIABILITY_LIMIT_PERCENT:
        return "reliability"
    if metrics["queue_wait_p95_seconds"] > QUEUE_SHARE_LIMIT * metrics["processing_p95_seconds"]:
        return "queue"
    if metrics["processing_p95_seconds"] > COMPUTE_P95_LIMIT_S:
        return "compute"
    return "none"


def _row(store, item):
    metrics = item["metrics_json"]
    quality = store.one("SELECT AVG(composite_score) AS score FROM quality_evaluations "
                        "WHERE benchmark_matrix_run_item_id = ?", item["id"])["score"]
    return {
        "variant_id": item["variant_id"],
        **{key: metrics[key] for key in SUMMED},
        "failure_rate_percent": metrics["failure_rate_percent"],
        "quality_score": None if quality is None else round(quality, 4),
        "bottleneck_classification": _bottleneck(metrics),
    }


def _recommendations(rows, winner, fault):
    found = []
    if winner and not fault("routing_recommendation_missing"):
        expected = sum(row["margin_usd"] for row in rows) if fault("routing_recommendation_wrong_margin") else None
        found.append({"type": "routing", "action": "apply_variant", "target_variant_id": winner["variant_id"],
                      "reason": "Highest measured margin in benchmark matrix.",
                      "expected_margin_usd": round(expected, 4) if expected is not None else winner["margin_usd"]})
    limit = -1.0 if fault("reliability_recommendation_for_reliable_variant") else RELIABILITY_LIMIT_PERCENT
    for row in rows:
        if row["failure_rate_percent"] > limit and not fault("reliability_recommendation_missing"):
            found.append({"type": "reliability", "action": "investigate_variant_path",
                          "target_variant_id": row["variant_id"],
                          "reason": f"Failure rate {row['failure_rate_percent']}% is above "
                                    f"{RELIABILITY_LIMIT_PERCENT:g}%.",
                          "failure_rate_percent": row["failure_rate_percent"]})
        if row["bottleneck_classification"] in ("queue", "compute"):
            found.append({"type": "capacity", "action": "scale_execution_environment",
                          "target_variant_id": row["variant_id"],
                          "reason": f"The variant is {row['bottleneck_classification']}-bound."})
    return found


def money_hud(store, query, fault):
    values = validate(query, QUERY, store)
    items = store.all("SELECT * FROM benchmark_matrix_run_items WHERE benchmark_matrix_run_id = ? ORDER BY id",
                      values["benchmark_matrix_run_id"])
    rows = [_row(store, item) for item in items]
    if not rows:
        winner = None
    elif fault("money_hud_wrong_winner"):
        winner = min(rows, key=lambda row: row["compute_cost_usd"])
    elif fault("money_hud_fastest_wins"):
        winner = min(rows, key=lambda row: row["processing_seconds_total"] / row["dispatch_count"])
    else:
        winner = max(rows, key=lambda row: row["margin_usd"])
    totals = {key: round(sum(row[key] for row in rows), 4) for key in SUMMED}
    return {
        "benchmark_matrix_run_id": values["benchmark_matrix_run_id"],
        "rows": rows,
        "winner": winner,
        "totals": totals,
        "recommendations": _recommendations(rows, winner, fault),
    }
