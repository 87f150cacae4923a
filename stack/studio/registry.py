"""The variant registry: which (workflow, environment, experiment) variants an effect revision may
run on at a stage, each with its deterministic id and the numbers the dispatch model needs.

A variant is eligible when its environment is active for the stage and its workflow belongs to
the effect revision (or an experiment of the revision names it).
"""
import uuid

from stack.studio.model import Variant
from stack.studio.store import variant_id

STAGES = ("staging", "production")


def _item(revision, workflow, environment, stage, experiment, fault):
    experiment_id = experiment["id"] if experiment else None
    vid = variant_id(revision["id"], workflow["id"], environment["id"], stage, experiment_id)
    if fault("variant_id_not_deterministic"):
        vid = f"{vid}:{uuid.uuid4().hex[:6]}"
    elif fault("variant_id_wrong_parts"):
        vid = variant_id(revision["id"], environment["id"], workflow["id"], stage, experiment_id)
    ceiling = environment["max_cost_per_dispatch_usd"]
    if fault("cost_gate_not_enforced"):
        ceiling = round(ceiling / 100, 6)
    return {
        "variant_id": vid,
        "workflow_id": workflow["id"],
        "execution_environment_id": environment["id"],
        "stage": stage,
        "experiment_variant_id": experiment_id,
        "fleet_config_intent_json": environment["fleet_json"],
        "constraints_json": {
            "max_cost_per_dispatch_usd": ceiling,
            "max_failure_rate_percent": 5,
            "environment": environment["name"],
            "workflow": workflow["name"],
        },
    }


def eligible(store, revision, stage, fault):
    """The registry's items for one effect revision and stage, in a stable order."""
    environments = store.all(
        "SELECT * FROM execution_environments WHERE stage = ? AND is_active = 1 ORDER BY id", stage)
    active = {environment["id"]: environment for environment in environments}
    workflows = store.all(
        "SELECT w.* FROM workflows w JOIN effect_revision_workflows erw ON erw.workflow_id = w.id "
        "WHERE erw.effect_revision_id = ? ORDER BY w.id", revision["id"])
    items = [_item(revision, workflow, environment, stage, None, fault)
             for workflow in workflows for environment in environments]
    for experiment in store.all("SELECT * FROM experiment_variants WHERE effect_revision_id = ? ORDER BY id",
                                revision["id"]):
        if experiment["execution_environment_id"] in active:
            workflow = store.get("workflows", experiment["workflow_id"])
            items.append(_item(revision, workflow, active[experiment["execution_environment_id"]], stage,
                               experiment, fault))
    return items


def find(store, revision, stage, wanted_id, fault):
    """The eligible item whose id is `wanted_id`, or None."""
    return next((item for item in eligible(store, revision, stage, fault) if item["variant_id"] == wanted_id), None)


def model_variant(store, revision, item):
    """The dispatch model's view of a registry item (its prices, speeds and failure rate)."""
    workflow = store.get("workflows", item["workflow_id"])
    environment = store.get("execution_environments", item["execution_environment_id"])
    quality = workflow["quality"]
    if item["experiment_variant_id"]:
        quality += store.get("experiment_variants", item["experiment_variant_id"])["quality_delta"]
    return Variant(
        variant_id=item["variant_id"],
        price_usd=revision["price_per_dispatch_usd"],
        processing_seconds=workflow["processing_seconds"],
        partner_cost_usd=workflow["partner_cost_usd"],
        quality=quality,
        speed=environment["speed"],
        cost_per_second_usd=environment["cost_per_second_usd"],
        failure_rate_percent=environment["failure_rate_percent"],
        queue_wait_seconds=environment["queue_wait_seconds"],
    )
