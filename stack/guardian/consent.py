"""Consent per organisation and scope in the `consent` table, keyed by the SHA-256 of the organisation
id so that the table never holds the id itself."""
import hashlib

from stack.guardian import validation as v
from stack.guardian.items import from_item, to_item


def hashed(org_id):
    return hashlib.sha256(org_id.encode()).hexdigest()


class Consent:
    def __init__(self, dynamodb, table, fault):
        self.dynamodb, self.table, self.fault = dynamodb, table, fault

    def _key(self, org_id):
        return org_id if self.fault("organisation_stored_in_clear") else hashed(org_id)

    def _scopes(self, key):
        item = self.dynamodb.get_item(TableName=self.table, Key=to_item({"orgId": key}), ConsistentRead=True)
        return from_item(item["Item"]).get("scopes", {}) if "Item" in item else {}

    def _save(self, key, scopes, org_id):
        item = {"orgId": key, "scopes": scopes}
        if self.fault("organisation_copied_into_consent"):
            item["organisation"] = org_id
        self.dynamodb.put_item(TableName=self.table, Item=to_item(item))

    def grant(self, org_id, scope, body):
        v.mapping(body, "body")
        grant = {
            "grantedBy": v.text(body.get("grantedBy"), "grantedBy"),
            "expiresAt": v.instant(body.get("expiresAt"), "expiresAt"),
            "grantedAt": v.now_iso(),
        }
        if body.get("repoId") is not None:
            grant["repoId"] = v.identifier(body["repoId"], "repoId")
        key = self._key(org_id)
        scopes = self._scopes(key)
        scopes[scope] = grant
        self._save(key, scopes, org_id)
        return {"orgId": org_id, "scope": scope, **grant}

    def revoke(self, org_id, scope):
        key = self._key(org_id)
        scopes = self._scopes(key)
        if scope not in scopes:
            raise v.not_found(f"organisation {org_id} has no consent for {scope}")
        scopes[scope]["revokedAt"] = v.now_iso()
        self._save(key, scopes, org_id)
        return {"orgId": org_id, "scope": scope, "revoked": True}

    def check(self, org_id, scope):
        key = org_id if self.fault("consent_looked_up_in_clear") else self._key(org_id)
        scopes = self._scopes(key)
        grant = scopes.get(scope)
        if grant is None and self.fault("consent_scope_ignored") and scopes:
            grant = next(iter(scopes.values()))
        if grant is None:
            reason = "none"
        elif grant.get("revokedAt") and not self.fault("revoked_consent_valid"):
            reason = "revoked"
        elif grant["expiresAt"] <= v.now_iso() and not self.fault("expired_consent_valid"):
            reason = "expired"
        else:
            reason = "granted"
        return {"valid": reason == "granted", "reason": reason}
