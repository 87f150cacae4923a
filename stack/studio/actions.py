"""The action log: what the studio did and, for warnings and critical events, what an operator
should do about it; plus the telemetry sinks and the anomaly scan that feed it."""
from stack.studio.store import now_iso

SEVERITIES = ("debug", "info", "warn", "critical")
LIST_LIMIT = 200
# Only the admin sink may hold economics (margins, partner costs); the others get counts and latencies.
SINKS = [
    {"key": "tig", "name": "Telegraf, InfluxDB and Grafana", "sensitive_economics": False,
     "receives": ["latency", "throughput", "failure_rate"]},
    {"key": "cloudwatch", "name": "Amazon CloudWatch", "sensitive_economics": False,
     "receives": ["latency", "throughput", "failure_rate", "alarms"]},
    {"key": "admin", "name": "Studio admin console", "sensitive_economics": True,
     "receives": ["latency", "throughput", "failure_rate", "margin", "partner_cost", "compute_cost"]},
]
SINK_OF_MODULE = {"load_testing": "cloudwatch", "benchmark": "tig", "quality": "tig", "economics": "admin",
                  "routing": "admin", "observability": "cloudwatch"}
# The seed's stop condition: a load test failing more than this is an anomaly.
ANOMALY_FAILURE_RATE_PERCENT = 20.0


class ActionLog:
    def __init__(self, store, fault):
        self.store = store
        self.fault = fault

    def record(self, event, severity, module, message, context, instruction=None, economic_impact=None):
        """Call inside the caller's transaction, so the entry exists exactly when its change does."""
        action = {"instruction": instruction} if instruction else None
        if severity in ("warn", "critical") and self.fault("warn_log_without_instruction"):
            action = None
        return self.store.insert(
            "action_logs", event=event, severity=severity, module=module, telemetry_sink=SINK_OF_MODULE[module],
            message=message, economic_impact_json=economic_impact, operator_action_json=action,
            context_json=context, occurred_at=now_iso(), resolved_at=None,
        )

    def list(self, severity=None, module=None, unresolved_only=False):
        clauses, args = [], []
        if severity:
            clauses.append("severity = ?")
            args.append(severity)
        if module:
            clauses.append("module = ?")
            args.append(module)
        if unresolved_only:
            clauses.append("resolved_at IS NULL")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.store.all(f"SELECT * FROM action_logs {where} ORDER BY id DESC LIMIT {LIST_LIMIT}", *args)
        return rows

    def scan_anomalies(self, lookback_minutes):
        """Load tests of the lookback window failing above the stop condition's rate become critical entries."""
        runs = self.store.all(
            "SELECT * FROM load_test_runs WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)",
            f"-{lookback_minutes} minutes",
        )
        anomalies = []
        with self.store.db:
            for run in runs:
                total = run["success_count"] + run["failure_count"]
                rate = round(100 * run["failure_count"] / total, 2) if total else 0.0
                if rate <= ANOMALY_FAILURE_RATE_PERCENT:
                    continue
                anomalies.append({"type": "failure_rate", "load_test_run_id": run["id"], "failure_rate_percent": rate,
                                  "severity": "critical"})
                seen = self.store.one(
                    "SELECT id FROM action_logs WHERE event = 'load_test_failure_rate_anomaly' "
                    "AND json_extract(context_json, '$.load_test_run_id') = ?", run["id"])
                if not seen:
                    self.record(
                        "load_test_failure_rate_anomaly", "critical", "observability",
                        f"Load test run {run['id']} fails {rate}% of its dispatches.",
                        {"load_test_run_id": run["id"], "failure_rate_percent": rate},
                        instruction="Cancel the load test run if it is still active, roll the routing of its "
                                    "effect revision back, and investigate the execution environment.")
        return {"lookback_minutes": lookback_minutes, "scanned_runs": len(runs), "anomalies": anomalies}

