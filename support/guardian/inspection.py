"""What a guardian deployment looks like, read through AWS describe and get APIs only, and how it
differs from the contract. Nothing here writes: the infrastructure check must be safe on staging.
"""
import re
from dataclasses import dataclass

from botocore.exceptions import ClientError

from support.guardian.resources import BUCKET, PARAMETER, RESOURCES, TABLES, resource_names

MISSING_CODES = {"ResourceNotFoundException", "ParameterNotFound", "NoSuchBucket", "404"}
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_PUBLIC_ACCESS_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@dataclass(frozen=True)
class Difference:
    resource: str
    kind: str
    name: str
    aspect: str
    expected: object
    found: object

    def __str__(self):
        return f"{self.kind} {self.name}: {self.aspect}: expected {self.expected}, found {self.found}"


def _missing(error):
    return error.response["Error"]["Code"] in MISSING_CODES


def _keys(schema, definitions):
    types = {d["AttributeName"]: d["AttributeType"] for d in definitions}
    return [(k["AttributeName"], k["KeyType"], types.get(k["AttributeName"])) for k in schema]


def table(dynamodb, name):
    try:
        found = dynamodb.describe_table(TableName=name)["Table"]
    except ClientError as error:
        if _missing(error):
            return None
        raise
    definitions = found["AttributeDefinitions"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    recovery = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus") == "ENABLED"
    return {
        "keys": _keys(found["KeySchema"], definitions),
        "indexes": {index["IndexName"]: {"keys": _keys(index["KeySchema"], definitions),
                                         "projection": index["Projection"]["ProjectionType"]}
                    for index in found.get("GlobalSecondaryIndexes", [])},
        "ttl": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None,
        "recovery": recovery,
        "encryption": found.get("SSEDescription", {}).get("Status") in ("ENABLED", "ENABLING", "UPDATING"),
        "billing": found.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
    }


def parameter(ssm, name):
    """The parameter's type and whether its value has the nonce's format (the value itself is not kept)."""
    try:
        found = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return {"type": found["Type"], "hex64": bool(_HEX64.match(found["Value"])), "version": found["Version"]}


def bucket(s3, name):
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as error:
        if _missing(error):
            return None
        raise
    try:
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        algorithms = [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        algorithms = []
    try:
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchPublicAccessBlockConfiguration":
            raise
        block = {}
    return {
        "versioning": s3.get_bucket_versioning(Bucket=name).get("Status", "never enabled"),
        "encrypted": any(a in ("aws:kms", "AES256", "aws:kms:dsse") for a in algorithms),
        "public_access_blocked": all(block.get(key) for key in _PUBLIC_ACCESS_KEYS),
    }


def snapshot(aws, names):
    """{resource key: its observed shape, or None when it does not exist}."""
    readers = {"table": lambda n: table(aws("dynamodb"), n), "parameter": lambda n: parameter(aws("ssm"), n),
               "bucket": lambda n: bucket(aws("s3"), n)}
    return {key: readers[kind](names[key]) for key, kind in RESOURCES}


_ASPECTS = {
    "keys": "key schema",
    "ttl": "expiry (TTL) attribute",
    "recovery": "point-in-time recovery",
    "encryption": "encryption at rest",
    "billing": "billing mode",
    "type": "parameter type",
    "hex64": "value of 64 hexadecimal characters",
    "versioning": "versioning",
    "encrypted": "default encryption",
    "public_access_blocked": "public access blocked",
}


def _compare(key, kind, name, expected, found):
    differences = []
    for aspect, wanted in expected.items():
        if aspect == "indexes":
            for index, shape in wanted.items():
                have = found["indexes"].get(index)
                if have != shape:
                    differences.append(Difference(key, kind, name, f"index {index}", shape, have or "no such index"))
        elif found[aspect] != wanted:
            differences.append(Difference(key, kind, name, _ASPECTS[aspect], wanted, found[aspect]))
    return differences


def differences(observed, names):
    """Every way `observed` (a snapshot) differs from the contract, resource by resource, in report order."""
    contract = {"table": None, "parameter": PARAMETER, "bucket": BUCKET}
    found = []
    for key, kind in RESOURCES:
        if observed[key] is None:
            found.append(Difference(key, kind, names[key], "existence", "present", "missing"))
            continue
        found += _compare(key, kind, names[key], TABLES[key] if kind == "table" else contract[kind], observed[key])
    return found


def report(observed, names):
    """Lines for people: each resource with `ok` or its differences."""
    found = differences(observed, names)
    lines = []
    for key, kind in RESOURCES:
        own = [d for d in found if d.resource == key]
        lines.append(f"{kind} {names[key]}: " + ("ok" if not own else f"{len(own)} difference(s)"))
        lines += [f"  - {d.aspect}: expected {d.expected}, found {d.found}" for d in own]
    return lines


def run(aws, project, env, out=print):
    """The infrastructure check: prints the report and returns the differences (none when as agreed)."""
    names = resource_names(project, env)
    observed = snapshot(aws, names)
    for line in report(observed, names):
        out(line)
    return differences(observed, names)
