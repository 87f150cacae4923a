"""Staging, rehearsed on this machine: the default set on the rehearsal profile (staging's drivers
against the embedded stack), once without `-D allow_destructive=yes`, where the protected gate
skips the destructive scenarios, and once with it for those scenarios; then the sweep by namespace
has left nothing in the stack's tables, queues, buckets and tasks. The timing scenarios of the set
(@performance) are rehearsed by a test of their own, marked `alone`: beside other work they would be
judged invalid and prove nothing.

Both runs attach to one stack started here, as `make stack` would, so it outlives them and can be
inspected afterwards. Needs the AWS CLI of `make tools` (which `make test` runs first).
"""
import glob
import json
import os
import subprocess
import sys

import boto3
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AWS_CLI = os.path.join(ROOT, ".tools", "bin", "aws")
DEFAULT_SET = "not @slow and not @performance"
TIMING_SET = "@preview and @performance and not @slow"
DESTRUCTIVE = "@destructive and not @slow"
# The scenarios of the default set that the protected gate holds back (the throttling one is skipped
# for a lack of capability before the gate is asked).
DESTRUCTIVE_SCENARIOS = ["A crashed edit container is replaced and the session carries on",
                         "A new session resumes the workspace after the edit service was forced down",
                         "Ending a session that is not there changes nothing -- @1.1 ",
                         "Ending a session that is not there changes nothing -- @1.2 "]
# The drivers staging selects for the preview, as the run prints them (support/drivers.py); the timing
# scenarios are the ones that need the baselines.
STAGING_DRIVERS = ("chaos: ecs", "mailbox: s3_inbox", "workspace: ecs_exec", "cost meter: cloudwatch")
TIMING_DRIVERS = ("cost meter: cloudwatch", "baselines: s3")
#: what a rehearsal leaves on the stack once its sweep by namespace has run
EMPTY = {"sessions_table": [], "thread_table": [], "email_queue": 0, "email_dlq": 0, "preview objects": 0,
         "inbox messages": 0, "edit tasks": 0}

pytestmark = pytest.mark.skipif(not os.path.exists(AWS_CLI), reason="the AWS CLI of `make tools` is not installed")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("rehearsal")
    state = str(scratch / "state.json")
    up = subprocess.run([sys.executable, "-m", "stack", "up", "--areas", "preview", "--state", state,
                         "--idle-timeout", "12", "--max-edit-tasks", "3"],
                        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stdout + up.stderr
    with open(state) as handle:
        yield json.load(handle), state, scratch
    subprocess.run([sys.executable, "-m", "stack", "down", "--state", state], cwd=ROOT, capture_output=True,
                   timeout=60)


def rehearse(stack, name, tags, *options):
    """(exit status, output, {scenario name: (status, reason)}) of one behave run on the rehearsal profile."""
    _, state, scratch = stack
    results = scratch / name
    env = {**os.environ, "ACCEPTANCE_STACK_STATE": state, "ALLURE_RESULTS_DIR": str(results)}
    run = subprocess.run([sys.executable, "-m", "behave", "-D", "profile=rehearsal", *options, f"--tags={tags}",
                          "--no-junit", "--format", "plain", "--no-capture"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=420)
    scenarios = {}
    for path in glob.glob(str(results / "*-result.json")):
        with open(path) as handle:
            result = json.load(handle)
        reason = (result.get("statusDetails") or {}).get("message", "")
        if not reason.startswith("not selected"):
            scenarios[result["name"]] = (result["status"], reason)
    return run.returncode, run.stdout + run.stderr, scenarios


def problems(output):
    """The lines of a behave run that say what went wrong (failed steps, hook errors, tracebacks)."""
    keep = ("ASSERT FAILED", "HOOK-ERROR", "Traceback", "Error", "failed in", "state at failure", "DriversNotUsed")
    return "\n".join(line for line in output.splitlines() if any(word in line for word in keep))[-6000:] or output[-3000:]


def driver_line(output):
    return next((line for line in output.splitlines() if line.startswith("preview drivers: ")), "")


def aws(info, service, endpoint=None):
    return boto3.client(service, endpoint_url=endpoint or info["aws"]["endpoint"], region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def leftovers(info):
    """Everything any test run left on the stack: items, messages, objects, mail and edit tasks."""
    names = info["preview"]["names"]
    email = info["preview"]["email"]
    dynamodb, sqs, s3 = aws(info, "dynamodb"), aws(info, "sqs"), aws(info, "s3")
    found = {}
    for table, key in (("sessions_table", "clientId"), ("thread_table", "threadId")):
        items = dynamodb.scan(TableName=names[table], ConsistentRead=True)["Items"]
        found[table] = [item for item in items if table == "thread_table" or item[key]["S"].startswith("TEST_")]
    for queue in ("email_queue", "email_dlq"):
        url = sqs.get_queue_url(QueueName=names[queue])["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        found[queue] = sum(int(n) for n in attributes.values())
    found["preview objects"] = s3.list_objects_v2(Bucket=names["preview_bucket"], Prefix="TEST_")["KeyCount"]
    found["inbox messages"] = s3.list_objects_v2(Bucket=email["inbox_bucket"], Prefix=email["inbox_prefix"])["KeyCount"]
    ecs = aws(info, "ecs", info["preview"]["endpoints"]["ecs"])
    found["edit tasks"] = len(ecs.list_tasks(cluster=names["cluster"], serviceName=names["edit_service"],
                                             desiredStatus="RUNNING")["taskArns"])
    return found


def drivers_called(output, drivers):
    line = driver_line(output)
    for driver in drivers:
        assert f"{driver} " in line and f"{driver} never" not in line, line


def test_staging_rehearsed_with_and_without_destructive_scenarios(stack):
    info = stack[0]
    status, output, scenarios = rehearse(stack, "gated", DEFAULT_SET)
    assert status == 0, problems(output)
    gated = {name: reason for name, (state, reason) in scenarios.items() if "@destructive on protected" in reason}
    assert sorted(gated) == DESTRUCTIVE_SCENARIOS, problems(output)
    assert all(reason.startswith("@destructive on protected profile 'rehearsal'") for reason in gated.values())
    # Staging cannot make DynamoDB throttle on demand: the rehearsal skips that scenario with the reason.
    throttling = scenarios["A rush of activations while the session store throttles leaves nothing behind"]
    assert throttling == ("skipped", "the target lacks store_throttling"), throttling
    failed = {name: reason for name, (state, reason) in scenarios.items() if state in ("failed", "broken")}
    assert failed == {}, problems(output)
    assert "chaos: ecs not needed by the scenarios that ran" in driver_line(output), driver_line(output)
    drivers_called(output, STAGING_DRIVERS[1:])

    status, output, scenarios = rehearse(stack, "destructive", DESTRUCTIVE, "-D", "allow_destructive=yes")
    assert status == 0, problems(output)
    ran = sorted(name for name, (state, _) in scenarios.items() if state == "passed")
    assert ran == DESTRUCTIVE_SCENARIOS, problems(output)
    assert "chaos: ecs StopTask ×1" in driver_line(output), driver_line(output)

    assert leftovers(info) == EMPTY


@pytest.mark.alone
def test_staging_rehearsed_for_the_timing_scenarios(stack):
    status, output, scenarios = rehearse(stack, "timing", TIMING_SET)
    assert status == 0, problems(output)
    assert scenarios and {state for state, _ in scenarios.values()} == {"passed"}, (
        "a timing scenario that was skipped (judged invalid on a busy machine) proves nothing about "
        f"staging's drivers: {scenarios}")
    drivers_called(output, TIMING_DRIVERS)
    assert leftovers(stack[0]) == EMPTY

