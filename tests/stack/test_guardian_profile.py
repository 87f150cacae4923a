"""The area-only profile `guardian` against a guardian started by hand: the infrastructure check's
command exits 0 on it and 1, with the list, on an environment built wrong; behave runs the guardian's
scenarios on it without starting any stack, and leaves nothing of its run behind."""
import os
import subprocess
import sys
import tempfile

import pytest

from stack.settings import aws_client
from support.guardian import environments
from support.guardian.resources import resource_names
from tests.stack.guardian_processes import Guardian

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def by_hand(scratch, aws):
    guardian = Guardian(scratch, aws)
    yield guardian
    guardian.stop()


@pytest.fixture
def environ(by_hand, aws):
    return {**os.environ, "GUARDIAN_URL": by_hand.url, "GUARDIAN_PROJECT": "mirror-dissonance",
            "GUARDIAN_ENV": by_hand.env, "AWS_ENDPOINT_URL": aws, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "GUARDIAN_SMOKE_ONLY": "true"}


def check(environ, *args):
    return subprocess.run([sys.executable, "-m", "support.guardian.check", "--profile", "guardian", *args],
                          cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)


def test_the_check_passes_on_the_guardian_started_by_hand(environ):
    result = check(environ)
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "as agreed: no differences"), result.stderr


def test_the_check_fails_with_the_list_on_a_misconfigured_environment(environ, aws):
    names = resource_names("mirror-dissonance", "check-cli-bad")
    undo = []
    clients = {}

    def client(service):
        return clients.setdefault(service, aws_client({"endpoints": {"aws": aws}}, service))

    environments.build(client, names, frozenset({"counter_without_expiry", "baselines_public"}), undo.append)
    try:
        result = check(environ, "--env", "check-cli-bad")
    finally:
        for action in reversed(undo):
            action()
    assert result.returncode == 1, result.stdout + result.stderr
    assert [line for line in result.stdout.splitlines() if line.startswith("  - ")] == [
        "  - expiry (TTL) attribute: expected expiresAt, found None",
        "  - public access blocked: expected True, found False",
    ]
    assert result.stdout.splitlines()[-1] == "2 difference(s) from the contract"


def test_a_profile_without_the_guardians_address_cannot_be_checked(environ):
    result = check({key: value for key, value in environ.items() if key != "GUARDIAN_URL"})
    assert result.returncode == 2 and "GUARDIAN_URL" in result.stderr, result.stderr


def test_behave_runs_the_guardian_on_the_area_only_profile_and_leaves_nothing(environ, by_hand, aws):
    with tempfile.TemporaryDirectory(prefix="guardian-profile-") as scratch:
        env = {**environ, "ACCEPTANCE_PROFILE": "guardian", "ALLURE_RESULTS_DIR": os.path.join(scratch, "results"),
               "ACCEPTANCE_STACK_STATE": os.path.join(scratch, "state.json")}
        result = subprocess.run(
            [sys.executable, "-m", "behave", "--no-junit", "-f", "plain", "--no-capture",
             "--tags=@guardian and @smoke and not @destructive", "features/guardian"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        started_stack = os.path.exists(os.path.join(scratch, "state.json"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "embedded stack" not in output and not started_stack, output
    assert "areas: guardian" in output and " passed, 0 failed" in output, output
    dynamodb = aws_client({"endpoints": {"aws": aws}}, "dynamodb")
    names = resource_names("mirror-dissonance", by_hand.env)
    left = {table: dynamodb.scan(TableName=names[table])["Items"]
            for table in ("fp_events", "block_counter", "consent")}
    s3 = aws_client({"endpoints": {"aws": aws}}, "s3")
    left["baselines"] = s3.list_object_versions(Bucket=names["baselines"]).get("Versions", [])
    assert left == {"fp_events": [], "block_counter": [], "consent": [], "baselines": []}
