"""The guardian's operations API as a process over moto, through its HTTP contract, with every
stored fact read back from moto itself."""
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from stack.guardian.resources import names
from stack.settings import aws_client
from tests.stack.guardian_processes import Guardian

NINETY_DAYS_S = 90 * 24 * 3600


@pytest.fixture(scope="module")
def guardian(scratch, aws):
    deployment = Guardian(scratch, aws)
    yield deployment
    deployment.stop()


@pytest.fixture
def api(guardian):
    with httpx.Client(base_url=guardian.url, timeout=10) as client:
        yield client


@pytest.fixture
def dynamodb(aws):
    return aws_client({"endpoints": {"aws": aws}}, "dynamodb")


def tables(guardian):
    return names("mirror-dissonance", guardian.env)


def at(minutes_ago):
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()


def event(rule, event_id, minutes_ago=0, **extra):
    return {"eventId": event_id, "ruleId": rule, "ruleVersion": "1.0.0", "findingId": f"{rule}-f-{event_id}",
            "outcome": "block", "isFalsePositive": False, "timestamp": at(minutes_ago), "context": {"repo": "r"},
            **extra}


def test_health_answers_ok(api):
    assert api.get("/healthz").json() == {"status": "ok"}


def test_an_event_is_stored_under_the_contracts_keys_with_a_90_day_expiry(api, guardian, dynamodb):
    body = event("rule-keys", "e1", minutes_ago=1)
    answer = api.post("/fp-events", json=body)
    assert answer.status_code == 201, answer.text
    stamp = datetime.fromisoformat(body["timestamp"]).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    item = dynamodb.get_item(TableName=tables(guardian)["fp_events"],
                             Key={"pk": {"S": "rule#rule-keys"}, "sk": {"S": f"event#{stamp}Z#e1"}})["Item"]
    assert item["gsi1pk"] == {"S": "finding#rule-keys-f-e1"}
    expires = int(item["expiresAt"]["N"])
    now = datetime.now(timezone.utc).timestamp()
    assert now + NINETY_DAYS_S - 30 < expires <= now + NINETY_DAYS_S + 1


def test_the_same_event_with_another_timestamp_is_refused_and_the_first_kept(api):
    first = event("rule-dup", "e1", minutes_ago=5, outcome="block")
    assert api.post("/fp-events", json=first).status_code == 201
    again = api.post("/fp-events", json={**first, "timestamp": at(1), "outcome": "warn"})
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "conflict"
    window = api.get("/rules/rule-dup/window", params={"count": 10}).json()
    assert [(e["eventId"], e["outcome"]) for e in window["events"]] == [("e1", "block")]


def test_a_window_is_newest_first_and_counts_exactly(api):
    for index, minutes in enumerate((30, 20, 10, 5)):
        assert api.post("/fp-events", json=event("rule-win", f"e{index}", minutes_ago=minutes)).status_code == 201
    assert api.post("/fp-events", json=event("rule-win", "reviewed", minutes_ago=3, isFalsePositive=True,
                                              reviewedBy="ann")).status_code == 201
    marked = api.post("/findings/rule-win-f-e1/false-positive", json={"reviewedBy": "bob"})
    assert marked.status_code == 200 and marked.json()["reviewedBy"] == "bob"
    api.post("/fp-events", json=event("rule-win", "tp", minutes_ago=2, reviewedBy="cy"))
    window = api.get("/rules/rule-win/window", params={"count": 10}).json()
    assert [e["eventId"] for e in window["events"]] == ["tp", "reviewed", "e3", "e2", "e1", "e0"]
    assert window["statistics"] == {"total": 6, "falsePositives": 2, "truePositives": 1, "pending": 3,
                                    "observedFPR": 2 / 3}
    recent = api.get("/rules/rule-win/window", params={"since": at(12)}).json()
    assert [e["eventId"] for e in recent["events"]] == ["tp", "reviewed", "e3", "e2"]
    assert api.get("/findings/rule-win-f-e1", params={"ruleId": "rule-win"}).json() == {
        "findingId": "rule-win-f-e1", "isFalsePositive": True}
    assert api.get("/findings/rule-win-f-e0").json()["isFalsePositive"] is False


@pytest.mark.parametrize("change, field", [
    ({"ruleId": None}, "ruleId"),
    ({"timestamp": "yesterday"}, "timestamp"),
    ({"eventId": "../etc/passwd"}, "eventId"),
    ({"isFalsePositive": True}, "reviewedBy"),
])
def test_a_malformed_event_is_refused_naming_the_field_and_stores_nothing(api, change, field):
    body = {key: value for key, value in {**event("rule-bad", "e1"), **change}.items() if value is not None}
    answer = api.post("/fp-events", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(f"{field}:")
    assert api.get("/rules/rule-bad/window", params={"count": 10}).json()["windowSize"] == 0


def test_a_body_that_is_not_json_is_refused(api):
    answer = api.post("/fp-events", content=b'{"ruleId": "rule-bad"', headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("body: request body is not valid JSON"), answer.text


def test_marking_an_unknown_finding_is_not_found(api):
    assert api.post("/findings/nobody/false-positive", json={"reviewedBy": "ann"}).status_code == 404


def test_consent_is_stored_under_the_hash_of_the_organisation(api, guardian, dynamodb):
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    assert api.put("/consent/org-1/analytics", json={"grantedBy": "ann", "expiresAt": later}).status_code == 201
    assert api.get("/consent/org-1/analytics").json() == {"valid": True, "reason": "granted"}
    assert api.get("/consent/org-1/metrics").json() == {"valid": False, "reason": "none"}
    digest = hashlib.sha256(b"org-1").hexdigest()
    stored = dynamodb.get_item(TableName=tables(guardian)["consent"], Key={"orgId": {"S": digest}})
    assert stored["Item"]["orgId"] == {"S": digest}
    assert "org-1" not in json.dumps(stored["Item"])
    assert api.delete("/consent/org-1/analytics").status_code == 200
    assert api.get("/consent/org-1/analytics").json() == {"valid": False, "reason": "revoked"}
    api.put("/consent/org-1/old", json={"grantedBy": "ann", "expiresAt": at(1)})
    assert api.get("/consent/org-1/old").json() == {"valid": False, "reason": "expired"}


def test_ten_parallel_increments_count_ten_and_stop_one_pair_only(api):
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: api.post("/circuit/r:1/o/increments"), range(10)))
    assert sorted(a.json()["count"] for a in answers) == list(range(1, 11))
    assert api.get("/circuit/r:1/o", params={"threshold": 10}).json() == {"count": 10, "broken": True}
    assert api.get("/circuit/r/1:o", params={"threshold": 10}).json() == {"count": 0, "broken": False}
    assert api.get("/circuit/r:1/other", params={"threshold": 10}).json() == {"count": 0, "broken": False}


def test_redaction_replaces_every_match_and_detects_tampering(api):
    body = {"text": "key=abc and key=def", "patterns": [{"regex": "key=\\w+", "replacement": "key=[REDACTED]"}]}
    redacted = api.post("/redactions", json=body).json()
    assert redacted["value"] == "key=[REDACTED] and key=[REDACTED]"
    assert redacted["redactionHits"] == 2 and len(redacted["mac"]) == 64
    assert api.post("/redactions/validate", json=redacted).json() == {"valid": True}
    assert api.post("/redactions/validate", json={**redacted, "value": "key=abc"}).json() == {"valid": False}
    flipped = ("0" if redacted["mac"][0] != "0" else "1") + redacted["mac"][1:]
    assert api.post("/redactions/validate", json={**redacted, "mac": flipped}).json() == {"valid": False}


def test_a_pattern_that_is_not_a_regular_expression_is_refused(api):
    answer = api.post("/redactions", json={"text": "x", "patterns": [{"regex": "(", "replacement": ""}]})
    assert answer.status_code == 400 and answer.json()["error"]["message"].startswith("patterns[0].regex:")


def test_rotation_keeps_the_old_nonce_and_its_redactions_valid(api, guardian, aws):
    body = {"text": "token=1", "patterns": [{"regex": "token=\\d", "replacement": "token=*"}]}
    before = api.post("/redactions", json=body).json()
    rotated = api.post("/nonce/rotations").json()
    assert rotated["version"] == before["nonceVersion"] + 1
    ssm = aws_client({"endpoints": {"aws": aws}}, "ssm")
    found = ssm.get_parameters_by_path(Path=f"/guardian/{guardian.env}/")["Parameters"]
    stored = {parameter["Name"]: parameter["Version"] for parameter in found}
    prefix = f"/guardian/{guardian.env}/redaction_nonce_v"
    assert stored == {f"{prefix}{before['nonceVersion']}": 1, f"{prefix}{rotated['version']}": 1}
    after = api.post("/redactions", json=body).json()
    assert after["nonceVersion"] == rotated["version"]
    assert api.post("/redactions/validate", json=before).json() == {"valid": True}


def test_baselines_keep_versions_and_a_missing_one_is_not_found(api):
    first = api.put("/baselines/repo-1", json={"rules": 1}).json()["versionId"]
    second = api.put("/baselines/repo-1", json={"rules": 2}).json()["versionId"]
    assert api.get("/baselines/repo-1").json() == {"rules": 2}
    versions = api.get("/baselines/repo-1/versions").json()["versions"]
    assert [v["versionId"] for v in versions] == [second, first]
    missing = api.get("/baselines/repo-none")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


def test_an_id_with_other_characters_is_refused(api):
    answer = api.get("/rules/a%2Fb/window", params={"count": 1})
    assert answer.status_code == 400 and answer.json()["error"]["message"].startswith("ruleId:")


def test_two_rotations_at_once_create_one_version_each(api):
    before = api.post("/redactions", json={"text": "x", "patterns": [{"regex": "x", "replacement": "y"}]}).json()
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: api.post("/nonce/rotations"), range(2)))
    assert sorted(answer.json().get("version") for answer in answers) == [
        before["nonceVersion"] + 1, before["nonceVersion"] + 2], [answer.text for answer in answers]
