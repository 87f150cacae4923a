"""Routing bindings: which variant serves an effect revision, changed by apply and undone by rollback.

Bindings are never edited in place. Apply deactivates the active binding and inserts a new one
that remembers it (`previous_binding_id`); rollback deactivates the active binding and activates a
copy of the one it replaced (`rollback_of_binding_id` names the binding rolled back), so repeated
rollbacks walk back through the history and every step stays on record.
"""
from stack.studio import registry
from stack.studio.api import NotFound, Refused
from stack.studio.store import now_iso
from stack.studio.validation import Field, validate

APPLY = {
    "effect_revision_id": Field("integer", required=True, exists="effect_revisions"),
    "variant_id": Field("string", required=True, maximum=255),
    "stage": Field("string", choices=registry.STAGES, default="staging"),
    "reason": Field("string", maximum=2000),
}
ROLLBACK = {
    "effect_revision_id": Field("integer", required=True, exists="effect_revisions"),
    "reason": Field("string", maximum=2000),
}
COPIED = ("effect_revision_id", "variant_id", "workflow_id", "execution_environment_id", "experiment_variant_id",
          "stage")


class Routing:
    def __init__(self, store, log, fault):
        self.store, self.log, self.fault = store, log, fault

    def active(self, revision_id):
        return self.store.one("SELECT * FROM routing_bindings WHERE effect_revision_id = ? AND is_active = 1 "
                              "ORDER BY id LIMIT 1", revision_id)

    def show(self, revision_id):
        if not self.store.exists("effect_revisions", revision_id):
            raise NotFound("Effect revision not found.")
        return {"effect_revision_id": revision_id, "active_binding": self.active(revision_id)}

    def _deactivate(self, binding):
        self.store.update("routing_bindings", binding["id"], is_active=0, deactivated_at=now_iso())

    def apply(self, body, user):
        values = validate(body, APPLY, self.store)
        revision = self.store.get("effect_revisions", values["effect_revision_id"])
        if self.fault("refused_apply_deactivates_binding") and self.active(revision["id"]):
            with self.store.db:
                self._deactivate(self.active(revision["id"]))
        if self.fault("refused_apply_rewrites_binding") and self.active(revision["id"]):
            with self.store.db:
                active_id = self.active(revision["id"])["id"]
                self.store.update("routing_bindings", active_id, variant_id=values["variant_id"])
        item = registry.find(self.store, revision, values["stage"], values["variant_id"], self.fault)
        if item is None:
            if not self.fault("apply_accepts_ineligible_variant"):
                raise Refused(422, "Variant is not eligible for this effect revision.",
                              {"variant_id": ["The variant is not eligible for this effect revision and stage."]})
            item = _unchecked_item(values)
        with self.store.db:
            current = self.active(revision["id"])
            if current and not self.fault("apply_keeps_previous_binding"):
                self._deactivate(current)
            binding_id = self.store.insert(
                "routing_bindings", **{key: item[key] for key in COPIED if key != "effect_revision_id"},
                effect_revision_id=revision["id"], is_active=1, reason=values["reason"],
                previous_binding_id=current and current["id"], applied_by_user_id=user["id"], activated_at=now_iso())
            self.log.record(
                "routing_binding_applied", "info", "routing",
                f"Effect revision {revision['id']} now routes to {item['variant_id']}.",
                {"effect_revision_id": revision["id"], "binding_id": binding_id,
                 "previous_binding_id": current and current["id"], "variant_id": item["variant_id"]})
        return self.store.get("routing_bindings", binding_id)

    def rollback(self, body, user):
        values = validate(body, ROLLBACK, self.store)
        revision_id = values["effect_revision_id"]
        current = self.active(revision_id)
        previous = self.store.get("routing_bindings", current["previous_binding_id"] or 0) if current else None
        if current and self.fault("rollback_restores_wrong_binding"):
            previous = self.store.one("SELECT * FROM routing_bindings WHERE effect_revision_id = ? ORDER BY id LIMIT 1",
                                      revision_id)
        if previous is None:
            return self._nothing_to_roll_back(revision_id, user)
        with self.store.db:
            if not self.fault("rollback_keeps_promoted_binding"):
                self._deactivate(current)
            binding_id = self.store.insert(
                "routing_bindings", **{key: previous[key] for key in COPIED}, is_active=1, reason=values["reason"],
                previous_binding_id=previous["previous_binding_id"], rollback_of_binding_id=current["id"],
                applied_by_user_id=user["id"], activated_at=now_iso())
            self.log.record(
                "routing_binding_rolled_back", "warn", "routing",
                f"Effect revision {revision_id} rolled back from {current['variant_id']} to {previous['variant_id']}.",
                {"effect_revision_id": revision_id, "binding_id": binding_id, "rolled_back_binding_id": current["id"],
                 "restored_binding_id": previous["id"], "variant_id": previous["variant_id"]},
                instruction=f"Confirm that {previous['variant_id']} serves traffic normally, then find out why "
                            f"{current['variant_id']} had to be rolled back before promoting it again.")
        return self.store.get("routing_bindings", binding_id)

    def _nothing_to_roll_back(self, revision_id, user):
        if self.fault("rollback_without_history_succeeds"):
            return None
        if self.fault("failed_rollback_routes_default"):
            revision = self.store.get("effect_revisions", revision_id)
            items = registry.eligible(self.store, revision, "staging", self.fault)
            if items:
                with self.store.db:
                    self.store.insert("routing_bindings", **{key: items[0][key] for key in COPIED[1:]},
                                      effect_revision_id=revision_id, is_active=1, reason="default after rollback",
                                      applied_by_user_id=user["id"], activated_at=now_iso())
        raise Refused(422, "Routing rollback failed.",
                      {"effect_revision_id": ["There is no previous routing binding to roll back to."]})


def _unchecked_item(values):
    """The defect behind `apply_accepts_ineligible_variant`: the binding is built from the id's text."""
    fields = values["variant_id"].split(":")
    parts = dict(zip(fields[0::2], fields[1::2]))

    def number(key):
        text = parts.get(key, "0")
        return int(text) if text.isdigit() and len(text) < 18 else 0

    return {"variant_id": values["variant_id"], "workflow_id": number("wf"), "execution_environment_id": number("env"),
            "experiment_variant_id": number("exp") or None, "stage": values["stage"]}
