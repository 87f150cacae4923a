"""The guardian's AWS resources under their Terraform names, provisioned in moto, and what the
stack publishes about them. Provisioning is idempotent: a resource that exists is left as it is."""
import secrets

from botocore.exceptions import ClientError

from stack import faults
from stack.settings import aws_client

PROJECT = "mirror-dissonance"
ENV = "local"
TTL_ATTRIBUTE = "expiresAt"
INDEX = "FindingIndex"


def deployment(settings):
    """(project, env) of this stack's guardian: the settings may name them, else the defaults."""
    section = settings.get("guardian") or {}
    return section.get("project", PROJECT), section.get("env", ENV)


def names(project, env):
    return {
        "fp_events": f"{project}-{env}-fp-events",
        "consent": f"{project}-{env}-consent",
        "block_counter": f"{project}-{env}-block-counter",
        "nonce_path": f"/guardian/{env}/",
        "nonce_prefix": f"/guardian/{env}/redaction_nonce_v",
        "baselines": f"{project}-{env}-baselines",
    }


def names_of(settings):
    return names(*deployment(settings))


def _exists(call):
    try:
        call()
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] in ("ResourceNotFoundException", "ParameterNotFound", "404", "NoSuchBucket"):
            return False
        raise


def _table(dynamodb, name, keys, ttl=False, index=False, recovery=False, encrypted=False):
    if _exists(lambda: dynamodb.describe_table(TableName=name)):
        return
    attributes = {key for key, _ in keys}
    spec = {
        "TableName": name,
        "KeySchema": [{"AttributeName": key, "KeyType": kind} for key, kind in keys],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if index:
        attributes |= {"gsi1pk", "gsi1sk"}
        spec["GlobalSecondaryIndexes"] = [{
            "IndexName": INDEX,
            "KeySchema": [{"AttributeName": "gsi1pk", "KeyType": "HASH"},
                          {"AttributeName": "gsi1sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }]
    if encrypted:
        spec["SSESpecification"] = {"Enabled": True, "SSEType": "KMS"}
    spec["AttributeDefinitions"] = [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)]
    dynamodb.create_table(**spec)
    if ttl:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                             "AttributeName": TTL_ATTRIBUTE})
    if recovery:
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def _bucket(s3, name, versioned=True, encrypted=True):
    if _exists(lambda: s3.head_bucket(Bucket=name)):
        return
    s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if encrypted:
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        key: True for key in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")})


def provision(settings):
    """Creates what the contract's table lists; the nonce is 32 random bytes as 64 hex characters."""
    found = names_of(settings)
    dynamodb = aws_client(settings, "dynamodb")
    _table(dynamodb, found["fp_events"], [("pk", "HASH"), ("sk", "RANGE")], ttl=True, index=True, recovery=True,
           encrypted=True)
    _table(dynamodb, found["consent"], [("orgId", "HASH")])
    _table(dynamodb, found["block_counter"], [("bucketKey", "HASH")], ttl=True)
    ssm = aws_client(settings, "ssm")
    nonce = found["nonce_prefix"] + "1"
    if not _exists(lambda: ssm.get_parameter(Name=nonce)):
        kind = "String" if faults.active(settings, "nonce_provisioned_as_plain_text") else "SecureString"
        ssm.put_parameter(Name=nonce, Type=kind, Value=secrets.token_hex(32))
    _bucket(aws_client(settings, "s3"), found["baselines"],
            versioned=not faults.active(settings, "baselines_unversioned"),
            encrypted=not faults.active(settings, "baselines_unencrypted"))


def publish(settings):
    """The state file's guardian section: the same keys as the local profile's `from_stack` values."""
    project, env = deployment(settings)
    base_url = f"http://127.0.0.1:{settings['ports']['guardian']}"
    return {"base_url": base_url, "control_url": base_url + "/control", "project": project, "env": env}
