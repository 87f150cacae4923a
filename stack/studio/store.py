"""The studio's SQLite database: its schema, the seed dataset, and row conversion.

One file per stack run (in the run's private directory), so a stack run starts from the seed and
leaves nothing behind. Every write that changes more than one row happens in one transaction
(`with store.db:`), which is what keeps a refused or broken request from leaving half a change.
"""
import json
import os
import sqlite3
import time
from datetime import datetime, timezone

import yaml

SEED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iteration1-golden-v1.yaml")

SCHEMA = """
CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE tenant_domains (domain TEXT PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id));
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, token TEXT UNIQUE NOT NULL,
                    is_admin INTEGER NOT NULL, tenant_id INTEGER REFERENCES tenants(id));
CREATE TABLE workflows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, processing_seconds REAL NOT NULL,
                        partner_cost_usd REAL NOT NULL, quality REAL NOT NULL);
CREATE TABLE effect_revisions (id INTEGER PRIMARY KEY, effect TEXT NOT NULL, revision INTEGER NOT NULL,
                               price_per_dispatch_usd REAL NOT NULL);
CREATE TABLE effect_revision_workflows (effect_revision_id INTEGER NOT NULL REFERENCES effect_revisions(id),
                                        workflow_id INTEGER NOT NULL REFERENCES workflows(id));
CREATE TABLE execution_environments (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stage TEXT NOT NULL,
                                     is_active INTEGER NOT NULL, cost_per_second_usd REAL NOT NULL,
                                     speed REAL NOT NULL, failure_rate_percent REAL NOT NULL,
                                     queue_wait_seconds REAL NOT NULL, max_cost_per_dispatch_usd REAL NOT NULL,
                                     fleet_json TEXT NOT NULL);
CREATE TABLE experiment_variants (id INTEGER PRIMARY KEY, effect_revision_id INTEGER NOT NULL,
                                  workflow_id INTEGER NOT NULL, execution_environment_id INTEGER NOT NULL,
                                  name TEXT NOT NULL, quality_delta REAL NOT NULL);
CREATE TABLE input_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, ref TEXT NOT NULL);
CREATE TABLE load_test_scenarios (id INTEGER PRIMARY KEY, name TEXT NOT NULL, stages_json TEXT NOT NULL);
CREATE TABLE load_test_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, load_test_scenario_id INTEGER NOT NULL,
    execution_environment_id INTEGER NOT NULL, effect_revision_id INTEGER, input_file_id INTEGER,
    benchmark_context_id TEXT, status TEXT NOT NULL, execution_mode TEXT, input_payload_json TEXT,
    metrics_json TEXT NOT NULL, achieved_rpm REAL, achieved_rps REAL, success_count INTEGER NOT NULL DEFAULT 0,
    failure_count INTEGER NOT NULL DEFAULT 0, p95_latency_ms INTEGER, queue_wait_p95_seconds REAL,
    processing_p95_seconds REAL, compute_cost_usd REAL, effective_cost_usd REAL, partner_cost_usd REAL,
    margin_usd REAL, created_at TEXT NOT NULL, started_at TEXT, completed_at TEXT);
CREATE TABLE load_test_dispatches (
    id INTEGER PRIMARY KEY AUTOINCREMENT, load_test_run_id INTEGER NOT NULL REFERENCES load_test_runs(id),
    seq INTEGER NOT NULL, dispatch_id TEXT UNIQUE NOT NULL, failed INTEGER NOT NULL, latency_ms INTEGER NOT NULL,
    queue_wait_seconds REAL NOT NULL, processing_seconds REAL NOT NULL, compute_cost_usd REAL NOT NULL,
    partner_cost_usd REAL NOT NULL, revenue_usd REAL NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE benchmark_matrix_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, benchmark_context_id TEXT UNIQUE NOT NULL,
    effect_revision_id INTEGER NOT NULL, stage TEXT NOT NULL, input_file_id INTEGER NOT NULL,
    runs_per_variant INTEGER NOT NULL, variant_count INTEGER NOT NULL, status TEXT NOT NULL,
    cost_model_json TEXT NOT NULL, created_at TEXT NOT NULL, completed_at TEXT);
CREATE TABLE benchmark_matrix_run_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT, benchmark_matrix_run_id INTEGER NOT NULL REFERENCES benchmark_matrix_runs(id),
    variant_id TEXT NOT NULL, workflow_id INTEGER NOT NULL, execution_environment_id INTEGER NOT NULL,
    experiment_variant_id INTEGER, dispatch_count INTEGER NOT NULL, status TEXT NOT NULL, metrics_json TEXT NOT NULL);
CREATE TABLE run_artifacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, benchmark_matrix_run_id INTEGER NOT NULL,
    benchmark_matrix_run_item_id INTEGER NOT NULL, artifact_type TEXT NOT NULL, payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE quality_evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, benchmark_matrix_run_id INTEGER, benchmark_matrix_run_item_id INTEGER,
    benchmark_context_id TEXT, load_test_run_id INTEGER, input_ref TEXT NOT NULL, output_ref TEXT NOT NULL,
    provider TEXT NOT NULL, rubric_version TEXT NOT NULL, status TEXT NOT NULL, composite_score REAL NOT NULL,
    vector_json TEXT NOT NULL, result_json TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE routing_bindings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, effect_revision_id INTEGER NOT NULL, variant_id TEXT NOT NULL,
    workflow_id INTEGER NOT NULL, execution_environment_id INTEGER NOT NULL, experiment_variant_id INTEGER,
    stage TEXT NOT NULL, is_active INTEGER NOT NULL, reason TEXT, previous_binding_id INTEGER,
    rollback_of_binding_id INTEGER, applied_by_user_id INTEGER, activated_at TEXT NOT NULL, deactivated_at TEXT);
CREATE TABLE action_logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, severity TEXT NOT NULL, module TEXT NOT NULL,
    telemetry_sink TEXT NOT NULL, message TEXT NOT NULL, economic_impact_json TEXT, operator_action_json TEXT,
    context_json TEXT NOT NULL, occurred_at TEXT NOT NULL, resolved_at TEXT);
"""

JSON_COLUMNS = {"fleet_json", "stages_json", "input_payload_json", "metrics_json", "cost_model_json", "payload_json",
                "vector_json", "result_json", "economic_impact_json", "operator_action_json", "context_json"}
BOOLEAN_COLUMNS = {"is_active", "is_admin", "failed"}
# SQLite integers are signed 64-bit; a larger id in a path or body can only be "not found".
MAX_ID = 2**63 - 1


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seconds_since(iso_time):
    if not iso_time:
        return 0.0
    moment = datetime.fromisoformat(iso_time.replace("Z", "+00:00"))
    return max(0.0, time.time() - moment.timestamp())


def variant_id(effect_revision_id, workflow_id, environment_id, stage, experiment_id):
    """The registry's deterministic id: the same parts always give the same id."""
    return f"er:{effect_revision_id}:wf:{workflow_id}:env:{environment_id}:stage:{stage}:exp:{experiment_id or 0}"


def plain(row):
    """A row as Python values: JSON columns parsed, booleans as booleans."""
    if row is None:
        return None
    result = {}
    for key in row.keys():
        value = row[key]
        if key in JSON_COLUMNS and value is not None:
            value = json.loads(value)
        elif key in BOOLEAN_COLUMNS:
            value = bool(value)
        result[key] = value
    return result


def dumps(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


class Store:
    def __init__(self, path, seed_path=SEED_PATH):
        fresh = not os.path.exists(path)
        self.db = sqlite3.connect(path)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        # The database lives as long as one stack run; durability across power loss buys nothing.
        self.db.execute("PRAGMA synchronous = OFF")
        with open(seed_path) as handle:
            self.seed = yaml.safe_load(handle)
        if fresh:
            self._create()

    def reseed(self):
        """Every table dropped and made again from the schema and the seed."""
        tables = [row[0] for row in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        self.db.execute("PRAGMA foreign_keys = OFF")
        self.db.executescript("".join(f"DROP TABLE {table};" for table in tables))
        self._create()
        self.db.execute("PRAGMA foreign_keys = ON")

    def _create(self):
        with self.db:
            self.db.executescript(SCHEMA)
            self._load_seed()

    def _load_seed(self):
        seed, insert = self.seed, self._insert
        for tenant in seed["tenants"]:
            insert("tenants", id=tenant["id"], name=tenant["name"])
            for domain in tenant["domains"]:
                insert("tenant_domains", domain=domain.lower(), tenant_id=tenant["id"])
        for user in seed["users"]:
            insert("users", **user)
        for workflow in seed["workflows"]:
            insert("workflows", **workflow)
        for revision in seed["effect_revisions"]:
            insert("effect_revisions", **{k: v for k, v in revision.items() if k != "workflow_ids"})
            for workflow_id in revision["workflow_ids"]:
                insert("effect_revision_workflows", effect_revision_id=revision["id"], workflow_id=workflow_id)
        for environment in seed["execution_environments"]:
            fields = {k: v for k, v in environment.items() if k != "fleet"}
            insert("execution_environments", **fields, fleet_json=dumps(environment["fleet"]))
        for experiment in seed["experiment_variants"]:
            insert("experiment_variants", **experiment)
        for input_file in seed["input_files"]:
            insert("input_files", **input_file)
        for scenario in seed["load_test_scenarios"]:
            insert("load_test_scenarios", id=scenario["id"], name=scenario["name"],
                   stages_json=dumps(scenario["stages"]))
        for binding in seed["routing_bindings"]:
            vid = variant_id(binding["effect_revision_id"], binding["workflow_id"],
                             binding["execution_environment_id"], binding["stage"], binding["experiment_variant_id"])
            insert("routing_bindings", **binding, variant_id=vid, activated_at=now_iso(),
                   deactivated_at=None if binding["is_active"] else now_iso())

    def _insert(self, table, **fields):
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        return self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(fields.values())).lastrowid

    def insert(self, table, **fields):
        """Inserts one row (JSON columns given as Python values) and returns its id."""
        return self._insert(table, **{k: dumps(v) if k in JSON_COLUMNS and v is not None else v
                                      for k, v in fields.items()})

    def update(self, table, row_id, **fields):
        assignments = ", ".join(f"{name} = ?" for name in fields)
        values = [dumps(v) if k in JSON_COLUMNS and v is not None else v for k, v in fields.items()]
        self.db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values, row_id])

    def one(self, sql, *args):
        return plain(self.db.execute(sql, args).fetchone())

    def all(self, sql, *args):
        return [plain(row) for row in self.db.execute(sql, args).fetchall()]

    def get(self, table, row_id):
        if not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
            return None
        return self.one(f"SELECT * FROM {table} WHERE id = ?", row_id)

    def exists(self, table, row_id):
        return self.get(table, row_id) is not None

    def close(self):
        self.db.close()
