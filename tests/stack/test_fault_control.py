"""`/control/faults` on the studio's own port: a fault switched on changes what the running service
does at once, and switching it off restores it; bad requests get a 4xx with the reason."""
import httpx
import pytest

from tests.stack.test_studio_service import HOST, VIEWER, Caller, start_studio

CONTROL = "/control/faults"


@pytest.fixture(scope="module")
def studio(scratch):
    processes, url = start_studio(scratch)
    yield url
    processes.stop_all()


@pytest.fixture
def control(studio):
    with httpx.Client(base_url=studio, timeout=10) as client:
        yield client
        client.put(CONTROL, json={"faults": []})


def test_a_fault_switched_on_changes_the_running_service_and_off_restores_it(studio, control):
    viewer = Caller(studio, VIEWER, HOST)
    assert viewer.get("/observability/sinks").status_code == 403
    answer = control.put(CONTROL, json={"faults": ["non_admin_allowed"]})
    assert (answer.status_code, answer.json()) == (200, {"area": "studio", "faults": ["non_admin_allowed"]})
    assert control.get(CONTROL).json()["faults"] == ["non_admin_allowed"]
    assert viewer.get("/observability/sinks").status_code == 200
    assert control.put(CONTROL, json={"faults": []}).json()["faults"] == []
    assert viewer.get("/observability/sinks").status_code == 403


@pytest.mark.parametrize("body, status, reason", [
    ({"faults": ["no_such_fault"]}, 400, "unknown studio fault(s) no_such_fault; known: anonymous_refused"),
    ({"faults": ["no_scale_up"]}, 400, "unknown studio fault(s) no_scale_up"),
    ({"faults": "non_admin_allowed"}, 400, 'body must be {"faults": [fault names]}'),
    ({"faults": [1]}, 400, 'body must be {"faults": [fault names]}'),
    ([], 400, "request body must be a JSON object, not an array"),
])
def test_a_bad_request_is_refused_with_the_reason_and_changes_nothing(control, body, status, reason):
    answer = control.put(CONTROL, json=body)
    assert answer.status_code == status
    assert answer.json()["message"].startswith(reason)
    assert control.get(CONTROL).json()["faults"] == []


def test_a_body_that_is_not_json_is_refused(control):
    answer = control.put(CONTROL, content=b"[" * 5000)
    assert (answer.status_code, answer.json()["message"]) == (
        400, "request body nests arrays or objects too deeply to decode")


def test_a_preview_fault_switched_on_hermes_reaches_the_load_balancer_process(platform):
    with httpx.Client(base_url=platform.url("hermes"), timeout=10) as hermes, \
            httpx.Client(base_url=platform.url("lb"), timeout=10) as lb:
        try:
            assert lb.get("/api/health").status_code == 503  # no edit task is running
            assert hermes.put(CONTROL, json={"faults": ["api_not_routed"]}).json()["faults"] == ["api_not_routed"]
            assert (lb.get("/api/health").status_code, lb.get("/api/health").json()["message"]) == (
                404, "no rule matches /api/health")
        finally:
            assert hermes.put(CONTROL, json={"faults": []}).json()["faults"] == []
        assert lb.get("/api/health").status_code == 503


def test_the_switch_is_not_reachable_through_the_load_balancer(platform):
    with httpx.Client(base_url=platform.url("lb"), timeout=10) as lb:
        assert lb.put(CONTROL, json={"faults": ["api_not_routed"]}).status_code == 404
        assert lb.get(CONTROL).status_code == 404
