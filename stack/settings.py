"""The one settings file a stack run writes and every stack process reads.

Ports, names, budgets and active faults live in one JSON file in the run's private directory,
so a service started by hand (`python -m stack.preview.hermes --settings …`) behaves exactly like
one started by `python -m stack up`.
"""
import json

import boto3
from botocore.config import Config

NAMES = {
    "cluster": "webordinary-edit-cluster",
    "hermes_service": "webordinary-hermes-service",
    "edit_service": "webordinary-edit-service",
    "sessions_table": "webordinary-edit-sessions",
    "thread_table": "webordinary-thread-mappings",
    "email_queue": "webordinary-email-queue",
    "email_dlq": "webordinary-email-dlq",
    "preview_bucket": "webordinary-preview",
    "hermes_log_group": "/ecs/hermes",
    "edit_log_group": "/ecs/webordinary/edit",
    "sender": "edit@edit.webordinary.test",
    # Where the test domain's inbound mail lands (SES receiving), and the performance baselines:
    # both buckets exist before a staging run, so the stack provisions them too.
    "inbox_bucket": "webordinary-test-inbox",
    "baseline_bucket": "webordinary-perf-baselines",
}

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def load(path):
    with open(path) as handle:
        return json.load(handle)


def write(path, settings):
    with open(path, "w") as handle:
        json.dump(settings, handle, indent=2)


def aws_client(settings, service, retries=2):
    """A boto3 client for moto; `ecs` goes to the stack's own orchestrator. `retries` after the first attempt."""
    endpoint = settings["endpoints"]["ecs" if service == "ecs" else "aws"]
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(retries={"max_attempts": retries, "mode": "standard"}),
        **CREDENTIALS,
    )
