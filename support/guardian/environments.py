"""Guardian environments that a scenario or a test builds for itself, correct or with chosen
defects, to prove that the infrastructure check notices each defect. Names come from the run's
namespace in lower case (bucket names allow no capitals or underscores); tear-down removes exactly
what `build` created."""
import secrets

from botocore.exceptions import ClientError

from support.guardian.resources import BUCKET, TABLES, resource_names

MAX_BUCKET_NAME = 63

#: a defect in words a product owner reads → its id
DEFECTS = {
    "stored events never expire": "events_without_expiry",
    "stored events expire by another attribute": "events_expire_by_other_attribute",
    "stored events have the wrong key": "events_wrong_key_schema",
    "findings cannot be looked up": "events_without_finding_index",
    "stored events cannot be recovered to a point in time": "events_without_recovery",
    "stored events are not encrypted": "events_unencrypted",
    "stored events use provisioned capacity": "events_provisioned_billing",
    "breaker counts never expire": "counter_without_expiry",
    "the consent table is missing": "consent_missing",
    "the redaction nonce is plain text": "nonce_plain_text",
    "the redaction nonce is too short": "nonce_not_hex",
    "the redaction nonce is missing": "nonce_missing",
    "baselines are not versioned": "baselines_unversioned",
    "baselines are not encrypted": "baselines_unencrypted",
    "baselines are open to the public": "baselines_public",
}


class UnknownDefect(ValueError):
    pass


def defect_id(words):
    if words not in DEFECTS:
        raise UnknownDefect(f"no defect called {words!r}; known: {', '.join(sorted(DEFECTS))}")
    return DEFECTS[words]


def namespace_parts(prefix, project):
    """(project, env) for an environment of the run's own: the deployment's project and an env made
    of the run's prefix in lower case (`TEST_2026…_` → `test-2026…-1a2b`), which every name carries."""
    env = f"{prefix.strip('_').lower().replace('_', '-')}-{secrets.token_hex(2)}"
    longest = resource_names(project, env)["baselines"]
    if len(longest) > MAX_BUCKET_NAME:
        raise ValueError(f"bucket name {longest!r} would be {len(longest)} characters, over S3's {MAX_BUCKET_NAME}; "
                         f"guardian.project {project!r} is too long for an environment of the run's own")
    return project, env


def _table(dynamodb, name, contract, defects, key):
    keys = contract["keys"]
    if key == "fp_events" and "events_wrong_key_schema" in defects:
        keys = keys[:1]
    attributes = {attribute: kind for attribute, _, kind in keys}
    spec = {"TableName": name, "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t, _ in keys],
            "BillingMode": "PAY_PER_REQUEST"}
    if key == "fp_events" and "events_provisioned_billing" in defects:
        spec["BillingMode"] = "PROVISIONED"
        spec["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    indexes = contract.get("indexes", {})
    if indexes and "events_without_finding_index" not in defects:
        spec["GlobalSecondaryIndexes"] = []
        for index, shape in indexes.items():
            attributes.update({attribute: kind for attribute, _, kind in shape["keys"]})
            spec["GlobalSecondaryIndexes"].append({
                "IndexName": index, "KeySchema": [{"AttributeName": a, "KeyType": t} for a, t, _ in shape["keys"]],
                "Projection": {"ProjectionType": shape["projection"]},
                **({"ProvisionedThroughput": spec["ProvisionedThroughput"]} if "ProvisionedThroughput" in spec else {}),
            })
    spec["AttributeDefinitions"] = [{"AttributeName": a, "AttributeType": t} for a, t in attributes.items()]
    if contract.get("encryption") and "events_unencrypted" not in defects:
        spec["SSESpecification"] = {"Enabled": True, "SSEType": "KMS"}
    dynamodb.create_table(**spec)
    ttl = contract.get("ttl")
    if key == "fp_events" and "events_expire_by_other_attribute" in defects:
        ttl = "ttl"
    if (key == "fp_events" and "events_without_expiry" in defects) or (
            key == "block_counter" and "counter_without_expiry" in defects):
        ttl = None
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
    if contract.get("recovery") and "events_without_recovery" not in defects:
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def _bucket(s3, name, defects):
    s3.create_bucket(Bucket=name)
    if "baselines_unversioned" not in defects:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": BUCKET["versioning"]})
    if "baselines_unencrypted" not in defects:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    if "baselines_public" not in defects:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
            key: True for key in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")})


def build(aws, names, defects=frozenset(), on_created=lambda undo: None):
    """Creates the environment `names` with `defects`; each creation registers its undo at once."""
    dynamodb = aws("dynamodb")
    for key, contract in TABLES.items():
        if key == "consent" and "consent_missing" in defects:
            continue
        on_created(lambda name=names[key]: _delete_table(dynamodb, name))
        _table(dynamodb, names[key], contract, defects, key)
    if "nonce_missing" not in defects:
        ssm = aws("ssm")
        on_created(lambda: _ignore_missing(lambda: ssm.delete_parameter(Name=names["nonce"])))
        value = secrets.token_hex(16) if "nonce_not_hex" in defects else secrets.token_hex(32)
        kind = "String" if "nonce_plain_text" in defects else "SecureString"
        ssm.put_parameter(Name=names["nonce"], Type=kind, Value=value)
    s3 = aws("s3")
    on_created(lambda: delete_bucket(s3, names["baselines"]))
    _bucket(s3, names["baselines"], defects)


def _ignore_missing(call):
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("ResourceNotFoundException", "ParameterNotFound", "NoSuchBucket"):
            raise


def _delete_table(dynamodb, name):
    _ignore_missing(lambda: dynamodb.delete_table(TableName=name))


def delete_bucket(s3, name):
    """Every object version and delete marker, then the bucket."""
    def remove():
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if doomed:
                s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
        s3.delete_bucket(Bucket=name)
    _ignore_missing(remove)


