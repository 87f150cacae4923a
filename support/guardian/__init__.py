"""The guardian area (seed 000): false positives, consent, circuit breaker, redaction and baselines,
against the embedded guardian or any deployment named by a profile's guardian section."""
import re

from botocore.exceptions import BotoCoreError, ClientError

from support import rules
from support.area import Area
from support.aws import AwsClients
from support.config import ProfileError
from support.guardian.environments import delete_bucket
from support.guardian.inspection import report, snapshot
from support.guardian.target import Guardian
from support.perf.host import HOST_SCHEMA
from support.preflight import TargetUnreachable, aws_problem, http_problem

_NAME_PART = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
# The env part `environments.namespace_parts` makes of a run's prefix: only names with it are swept.
_OWN_ENVIRONMENT = re.compile(r"test-\d{8}t\d{6}[0-9a-f]{4}-[0-9a-f]{4}")


def _name_part(value):
    """A part of a bucket name: lower case, digits and hyphens."""
    return isinstance(value, str) and _NAME_PART.match(value) is not None


def _separator(value):
    return isinstance(value, str) and len(value) == 1 and re.match(r"[A-Za-z0-9._:-]", value) is not None


def _budgets(value):
    return rules.BUDGETS[0](value) and all(name.startswith("guardian_") for name in value)


SCHEMA = {
    "base_url": rules.URL,
    "control_url": rules.URL,
    "project": (_name_part, "the names' project part: lower case, digits and hyphens (e.g. mirror-dissonance)"),
    "env": (_name_part, "the names' environment part: lower case, digits and hyphens (e.g. staging)"),
    "retention_days": rules.POSITIVE,
    "breaker": {
        "threshold": (lambda v: rules.whole(v) and 1 <= v <= 1000, "a whole number from 1 to 1000"),
        "key_separator": (_separator, "the one character the deployment joins bucket keys with, usable in an id"),
    },
    "consent": {"primary_scope": rules.TEXT, "secondary_scope": rules.TEXT},
    "redaction": {"brand": (rules.text, "the brand a redacted text carries")},
    "performance": {
        "samples": (lambda v: rules.whole(v) and 5 <= v <= 1000, "a whole number from 5 to 1000"),
        "sustained_s": rules.POSITIVE,
        "burst_size": (lambda v: rules.whole(v) and 1 <= v <= 500, "a whole number from 1 to 500"),
        "smoke_only": rules.BOOL,
        "host": HOST_SCHEMA,
    },
    "budgets": (_budgets, "a mapping of guardian_… budget names to numbers above 0"),
}


class GuardianArea(Area):
    name = "guardian"
    title = "Guardian data plane"
    stack_areas = ("guardian",)
    schema = SCHEMA
    optional = frozenset({"control_url", "performance.host"})
    presence = "base_url"

    def check_profile(self, profile):
        consent = profile.area("guardian")["consent"]
        if consent["primary_scope"] == consent["secondary_scope"]:
            raise ProfileError(f"{profile.where('guardian.consent')}: guardian.consent's primary_scope and "
                               "secondary_scope must differ (a scenario proves consent for one says nothing "
                               "about the other)")

    def clients(self, profile, run, userdata):
        return {"guardian": Guardian(profile.area("guardian"), AwsClients(profile["aws"]), profile.name)}

    def preflight(self, clients):
        guardian = clients["guardian"]
        problem = http_problem(guardian.client.http, "/healthz", "the guardian's operations API", "guardian.base_url")
        problem = problem or aws_problem(
            lambda: guardian.aws("dynamodb").describe_table(TableName=guardian.names["fp_events"]),
            f"the guardian's table {guardian.names['fp_events']} (guardian.project and guardian.env)")
        if problem:
            raise TargetUnreachable(problem)

    def diagnose(self, clients, scenario):
        guardian = clients["guardian"]
        try:
            health = guardian.client.health().status
        except Exception as error:  # noqa: BLE001 - a diagnosis reports what it could not see
            health = f"{type(error).__name__}: {error}"
        try:
            infrastructure = report(snapshot(guardian.aws, guardian.names), guardian.names)
        except (BotoCoreError, ClientError) as error:
            infrastructure = f"{type(error).__name__}: {error}"
        return {"health": health, "infrastructure": infrastructure,
                "nonce versions": guardian.store.nonce_versions() if isinstance(infrastructure, list) else None}

    def sweep(self, clients, prefix):
        """The run's items in the deployment, then any environment a scenario built under the
        lower-case form of the prefix (tables, nonce parameters, buckets)."""
        guardian = clients["guardian"]
        removed = guardian.store.sweep(prefix, sorted(guardian.organisations))
        lower = prefix.strip("_").lower().replace("_", "-")

        def own(name):
            return lower in name and _OWN_ENVIRONMENT.search(name) is not None

        dynamodb, ssm, s3 = guardian.aws("dynamodb"), guardian.aws("ssm"), guardian.aws("s3")
        tables = [name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]
                  if own(name)]
        for table in tables:
            dynamodb.delete_table(TableName=table)
        parameters = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"/guardian/{lower}"]}])
            for p in page["Parameters"] if own(p["Name"][len("/guardian/"):])]
        for name in parameters:
            ssm.delete_parameter(Name=name)
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if own(b["Name"])]
        for bucket in buckets:
            delete_bucket(s3, bucket)
        return {**removed, "own tables": len(tables), "own parameters": len(parameters), "own buckets": len(buckets)}

    def close(self, clients):
        clients["guardian"].close()


AREA = GuardianArea()
