"""The guardian's resources as the contract (and the Terraform behind it) names and shapes them.

The expected shape is data, so the infrastructure check, the scenarios that build a deliberately
misconfigured environment and the report all read the same facts.
"""
TTL_ATTRIBUTE = "expiresAt"
FINDING_INDEX = "FindingIndex"
NONCE_HEX_CHARACTERS = 64


def resource_names(project, env):
    return {
        "fp_events": f"{project}-{env}-fp-events",
        "consent": f"{project}-{env}-consent",
        "block_counter": f"{project}-{env}-block-counter",
        "nonce": f"/guardian/{env}/redaction_nonce_v1",
        "baselines": f"{project}-{env}-baselines",
    }


#: what each table must look like; absent aspects are not part of the contract for that table
TABLES = {
    "fp_events": {
        "keys": [("pk", "HASH", "S"), ("sk", "RANGE", "S")],
        "indexes": {FINDING_INDEX: {"keys": [("gsi1pk", "HASH", "S"), ("gsi1sk", "RANGE", "S")], "projection": "ALL"}},
        "ttl": TTL_ATTRIBUTE,
        "recovery": True,
        "encryption": True,
        "billing": "PAY_PER_REQUEST",
    },
    "consent": {"keys": [("orgId", "HASH", "S")]},
    "block_counter": {"keys": [("bucketKey", "HASH", "S")], "ttl": TTL_ATTRIBUTE},
}
PARAMETER = {"type": "SecureString", "hex64": True}
BUCKET = {"versioning": "Enabled", "encrypted": True, "public_access_blocked": True}
#: what a person calls each resource in a report or a feature
LABELS = {
    "fp_events": "false-positive events table",
    "consent": "consent table",
    "block_counter": "block counter table",
    "nonce": "redaction nonce",
    "baselines": "baselines bucket",
}
#: the kinds of resource, in the order a report lists them, with their contract
RESOURCES = [("fp_events", "table"), ("consent", "table"), ("block_counter", "table"), ("nonce", "parameter"),
             ("baselines", "bucket")]
