"""The guardian infrastructure check against environments built wrong on purpose in moto: each
defect is reported as exactly one difference naming its resource and aspect, and nothing changes."""
import secrets

import pytest

from stack.guardian.resources import provision
from stack.settings import aws_client
from support.guardian import environments
from support.guardian.inspection import differences, run, snapshot
from support.guardian.resources import resource_names
from tests.stack.guardian_processes import guardian_settings

EXPECTED = {
    "events_without_expiry": ("fp_events", "expiry (TTL) attribute", "expiresAt", None),
    "events_expire_by_other_attribute": ("fp_events", "expiry (TTL) attribute", "expiresAt", "ttl"),
    "events_wrong_key_schema": ("fp_events", "key schema", [("pk", "HASH", "S"), ("sk", "RANGE", "S")],
                                [("pk", "HASH", "S")]),
    "events_without_finding_index": ("fp_events", "index FindingIndex", None, "no such index"),
    "events_without_recovery": ("fp_events", "point-in-time recovery", True, False),
    "events_unencrypted": ("fp_events", "encryption at rest", True, False),
    "events_provisioned_billing": ("fp_events", "billing mode", "PAY_PER_REQUEST", "PROVISIONED"),
    "counter_without_expiry": ("block_counter", "expiry (TTL) attribute", "expiresAt", None),
    "consent_missing": ("consent", "existence", "present", "missing"),
    "nonce_plain_text": ("nonce", "parameter type", "SecureString", "String"),
    "nonce_not_hex": ("nonce", "value of 64 hexadecimal characters", True, False),
    "nonce_missing": ("nonce", "existence", "present", "missing"),
    "baselines_unversioned": ("baselines", "versioning", "Enabled", "never enabled"),
    "baselines_unencrypted": ("baselines", "default encryption", True, False),
    "baselines_public": ("baselines", "public access blocked", True, False),
}


@pytest.fixture
def clients(aws):
    made = {}

    def client(service):
        if service not in made:
            made[service] = aws_client({"endpoints": {"aws": aws}}, service)
        return made[service]

    return client


@pytest.fixture
def environment(clients):
    """Builds environments with a fresh name each and tears every one down afterwards."""
    undo = []

    def make(defects=()):
        project = f"check-{secrets.token_hex(3)}"
        names = resource_names(project, f"{project}-env")
        environments.build(clients, names, frozenset(defects), undo.append)
        return project, f"{project}-env", names

    yield make
    for action in reversed(undo):
        action()


def test_every_defect_has_a_check():
    assert set(EXPECTED) == set(environments.DEFECTS.values())


def test_an_environment_as_agreed_has_no_differences(clients, environment):
    _, _, names = environment()
    assert differences(snapshot(clients, names), names) == []


def test_the_embedded_stacks_provisioning_is_as_agreed(scratch, aws, clients):
    _, settings = guardian_settings(scratch, aws)
    provision(settings)
    lines = []
    assert run(clients, "mirror-dissonance", settings["guardian"]["env"], out=lines.append) == []
    assert all(line.endswith(": ok") for line in lines) and len(lines) == 5, lines


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_each_defect_is_reported_as_exactly_one_difference(clients, environment, defect):
    _, _, names = environment({defect})
    before = snapshot(clients, names)
    found = differences(before, names)
    resource, aspect, expected, seen = EXPECTED[defect]
    assert [(d.resource, d.name, d.aspect, d.found) for d in found] == [(resource, names[resource], aspect, seen)]
    if expected is not None:
        assert found[0].expected == expected
    assert snapshot(clients, names) == before


def test_several_defects_are_reported_resource_by_resource(clients, environment):
    project, env, names = environment({"events_without_expiry", "baselines_unversioned", "nonce_plain_text"})
    lines = []
    found = run(clients, project, env, out=lines.append)
    assert [d.resource for d in found] == ["fp_events", "nonce", "baselines"]
    assert lines == [
        f"table {names['fp_events']}: 1 difference(s)",
        "  - expiry (TTL) attribute: expected expiresAt, found None",
        f"table {names['consent']}: ok",
        f"table {names['block_counter']}: ok",
        f"parameter {names['nonce']}: 1 difference(s)",
        "  - parameter type: expected SecureString, found String",
        f"bucket {names['baselines']}: 1 difference(s)",
        "  - versioning: expected Enabled, found never enabled",
    ]


def test_a_deployment_that_does_not_exist_is_missing_everywhere(clients):
    names = resource_names("nothing-here", "nowhere")
    found = differences(snapshot(clients, names), names)
    assert [(d.resource, d.aspect) for d in found] == [
        (key, "existence") for key in ("fp_events", "consent", "block_counter", "nonce", "baselines")]


def test_tear_down_removes_everything_it_built_even_a_versioned_bucket_with_objects(clients):
    names = resource_names("teardown", f"teardown-{secrets.token_hex(3)}")
    undo = []
    environments.build(clients, names, frozenset(), undo.append)
    clients("s3").put_object(Bucket=names["baselines"], Key="baselines/r.json", Body=b"{}")
    clients("s3").put_object(Bucket=names["baselines"], Key="baselines/r.json", Body=b"{}")
    for action in reversed(undo):
        action()
    assert snapshot(clients, names) == dict.fromkeys(("fp_events", "consent", "block_counter", "nonce", "baselines"))


def test_an_environment_of_the_runs_own_carries_the_namespace_in_every_name():
    project, env = environments.namespace_parts("TEST_20261128T080000abcd_", "mirror-dissonance")
    names = resource_names(project, env)
    assert all("test-20261128t080000abcd-" in name for name in names.values()), names
    assert len(names["baselines"]) <= 63 and names["baselines"] == names["baselines"].lower()
    with pytest.raises(ValueError, match="over S3's 63"):
        environments.namespace_parts("TEST_20261128T080000abcd_", "a-project-name-far-too-long-for-s3")
