"""Every guardian endpoint that reads a body, sent what a hostile client would send: each is refused
with a 4xx in the contract's error shape that names what is wrong, never a 5xx, and stores nothing."""
import httpx
import pytest

from tests.stack.guardian_processes import Guardian
from tests.stack.test_hostile_bodies import HOSTILE

# (method, path, whether any JSON object is a valid body: a baseline is any document)
ENDPOINTS = [
    ("POST", "/fp-events", False),
    ("POST", "/findings/hostile-finding/false-positive", False),
    ("PUT", "/consent/hostile-org/analytics", False),
    ("POST", "/redactions", False),
    ("POST", "/redactions/validate", False),
    ("PUT", "/baselines/hostile-repo", True),
]


@pytest.fixture(scope="module")
def api(scratch, aws):
    guardian = Guardian(scratch, aws)
    with httpx.Client(base_url=guardian.url, timeout=30) as client:
        yield client
    guardian.stop()


@pytest.mark.parametrize("method, path, any_object", ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
@pytest.mark.parametrize("name, body, whole", HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_a_hostile_body_is_refused_clearly(api, method, path, any_object, name, body, whole):
    answer = api.request(method, path, content=body, headers={"Content-Type": "application/json"})
    if any_object and not whole:
        assert answer.status_code == 200, answer.text
        return
    assert 400 <= answer.status_code < 500, f"{name}: {answer.status_code} {answer.text[:300]}"
    message = answer.json()["error"]["message"]
    assert message.startswith("body:") if whole else message.split(":")[0] in (
        "eventId", "reviewedBy", "grantedBy", "text", "value"), message


def test_hostile_bodies_store_nothing(api):
    for _, body, whole in HOSTILE:
        if whole:
            api.put("/baselines/hostile-none", content=body, headers={"Content-Type": "application/json"})
            api.put("/consent/hostile-none/analytics", content=body, headers={"Content-Type": "application/json"})
    assert api.get("/baselines/hostile-none").status_code == 404
    assert api.get("/consent/hostile-none/analytics").json() == {"valid": False, "reason": "none"}
