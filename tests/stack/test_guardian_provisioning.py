"""Provisioning the guardian twice changes nothing, and the lost-update fault really loses updates
(so the concurrency scenario's fault is a real race, not a constant)."""
from concurrent.futures import ThreadPoolExecutor

import httpx

from stack.guardian.resources import names, provision
from stack.settings import aws_client
from tests.stack.guardian_processes import Guardian, guardian_settings


def snapshot(settings):
    found = names(settings["guardian"]["project"], settings["guardian"]["env"])
    dynamodb, ssm, s3 = (aws_client(settings, s) for s in ("dynamodb", "ssm", "s3"))
    tables = {key: dynamodb.describe_table(TableName=found[key])["Table"]["CreationDateTime"]
              for key in ("fp_events", "consent", "block_counter")}
    nonce = ssm.get_parameter(Name=found["nonce_prefix"] + "1", WithDecryption=True)["Parameter"]
    return tables, (nonce["Version"], nonce["Value"]), s3.get_bucket_versioning(Bucket=found["baselines"])["Status"]


def test_provisioning_twice_changes_nothing(scratch, aws):
    _, settings = guardian_settings(scratch, aws)
    provision(settings)
    first = snapshot(settings)
    provision(settings)
    assert snapshot(settings) == first
    assert len(first[1][1]) == 64 and int(first[1][1], 16) >= 0


def test_read_then_write_increments_lose_updates_under_ten_parallel_calls(scratch, aws):
    guardian = Guardian(scratch, aws, faults=["increments_lost_under_concurrency"])
    try:
        with httpx.Client(base_url=guardian.url, timeout=10) as api, ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda _: api.post("/circuit/r/o/increments"), range(10)))
            count = api.get("/circuit/r/o", params={"threshold": 10}).json()["count"]
    finally:
        guardian.stop()
    assert count < 10
