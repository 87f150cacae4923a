"""Every POST endpoint of every stack service, sent bodies a hostile client would send: each is
refused with a 4xx that says what is wrong (or the contract's 503), never a 5xx, directly and
through the load balancer where the path is routed.

Endpoints that take no body (keepalive, deactivate, cancel, crash) ignore one: they must answer a
hostile body exactly as they answer none.
"""
from dataclasses import dataclass

import httpx
import pytest

from stack.preview.web import running_edit_tasks
from stack.settings import NAMES
from tests.stack.processes import wait_until
from tests.stack.test_studio_service import ADMIN, BASE, HOST, start_studio

# An edit task boots in about a second; scaling up is asked for once.
TASK_RUNNING_S = 20.0
DEEP = 5000
# One object with a value of the wrong type for every field any endpoint reads.
WRONG_TYPES = (
    b'{"clientId": 7, "userId": ["u"], "instruction": {"text": 1}, "sessionId": 1, "threadId": false, '
    b'"writes": "3", "seconds": [1], "clusters": "c", "cluster": 7, "services": "x", "service": 7, "tasks": [1], '
    b'"task": 7, "taskDefinition": 7, "desiredCount": "two", "count": "x", "serviceName": 1, "desiredStatus": 5, '
    b'"load_test_scenario_id": "x", "execution_environment_id": [], "effect_revision_id": {}, '
    b'"input_file_id": "a", "mode": 5, "runs_per_variant": "many", "input_ref": 5, "output_ref": [], '
    b'"provider": 1, "variant_id": 42, "reason": [], "lookback_minutes": "x", "load_test_run_id": "x"}'
)
# (name, raw body, whether the reason must name the body as a whole rather than one field)
HOSTILE = [
    ("not JSON", b"{not json", True),
    ("not UTF-8", b"\xff\xfe\x00{", True),
    ("empty", b"", True),
    ("an array", b"[1, 2]", True),
    ("a string", b'"activate"', True),
    ("null", b"null", True),
    ("a number", b"42", True),
    ("5,000 nested arrays", b"[" * DEEP + b"]" * DEEP, True),
    ("5,000 nested objects", b'{"a": ' * DEEP + b"1" + b"}" * DEEP, True),
    ("a field nested 5,000 deep", b'{"clientId": ' + b"[" * DEEP + b"]" * DEEP + b"}", True),
    ("a 5,000-digit number", b'{"writes": ' + b"9" * DEEP + b"}", True),
    ("NaN", b'{"writes": NaN, "lookback_minutes": NaN}', True),
    ("2 MiB", b'{"clientId": "' + b"x" * (2 * 1024 * 1024) + b'"}', True),
    ("wrong types", WRONG_TYPES, False),
]
ECS_OPERATIONS = ["DescribeClusters", "DescribeServices", "UpdateService", "ListTasks", "DescribeTasks", "RunTask",
                  "StopTask"]


@dataclass
class Endpoint:
    service: str  # hermes, lb, ecs, worker, studio
    path: str
    shape: str  # the contract's error shape: preview, ecs or studio
    reads_body: bool = True
    headers: dict = None
    also_503: bool = False  # the contract allows a 503 (the executor endpoint without a configured secret)
    empty_ok: bool = False  # every field is optional, so an empty body is a valid request


@pytest.fixture(scope="module")
def services(platform, scratch):
    """Base URLs of the preview platform with one running edit task, and of a studio."""
    ecs = platform.client("ecs")
    ecs.update_service(cluster=NAMES["cluster"], service=NAMES["edit_service"], desiredCount=1)
    ports = wait_until(lambda: list(running_edit_tasks(ecs, NAMES).values()), until=bool, within=TASK_RUNNING_S,
                       describe="an edit task to run")
    processes, studio = start_studio(scratch)
    with httpx.Client(base_url=studio + BASE, headers={"Host": HOST, "Authorization": f"Bearer {ADMIN}"}) as admin:
        run = admin.post("/load-test-runs", json={"load_test_scenario_id": 1, "execution_environment_id": 21,
                                                  "effect_revision_id": 101, "input_file_id": 501})
    assert run.status_code == 201, run.text
    yield {"hermes": platform.url("hermes"), "lb": platform.url("lb"), "ecs": platform.url("ecs"),
           "worker": f"http://127.0.0.1:{ports[0]}", "studio": studio, "run": run.json()["data"]["id"]}
    processes.stop_all()
    ecs.update_service(cluster=NAMES["cluster"], service=NAMES["edit_service"], desiredCount=0)


#: a session id no stack issues; fixed, so that every pytest worker collects the same test ids
NEVER_ISSUED = "00000000-0000-4000-8000-000000000000"


def endpoints():
    unknown = NEVER_ISSUED
    sessions = "/hermes/api/sessions"
    found = []
    for service in ("hermes", "lb"):
        found += [
            Endpoint(service, f"{sessions}/activate", "preview"),
            Endpoint(service, f"{sessions}/{unknown}/keepalive", "preview", reads_body=False),
            Endpoint(service, f"{sessions}/{unknown}/deactivate", "preview", reads_body=False),
        ]
    found += [
        Endpoint("hermes", "/control/session-store/throttle", "preview"),
        Endpoint("lb", "/api/work", "preview", reads_body=False),
        Endpoint("worker", "/work", "preview"),
        Endpoint("worker", "/release", "preview"),
        Endpoint("ecs", f"/control/tasks/{'0' * 32}/crash", "preview", reads_body=False),
        *(Endpoint("ecs", "/", "ecs", headers={"X-Amz-Target": f"AmazonEC2ContainerServiceV20141113.{op}",
                                                  "Content-Type": "application/x-amz-json-1.1"})
          for op in ECS_OPERATIONS),
    ]
    admin = {"Host": HOST, "Authorization": f"Bearer {ADMIN}"}
    studio = [
        ("/load-test-runs", {}), ("/load-test-runs/{run}/start", {"empty_ok": True}),
        ("/load-test-runs/424242/cancel", {"reads_body": False}), ("/benchmark-matrix-runs", {}),
        ("/quality-evaluations", {}), ("/routing/apply", {}), ("/routing/rollback", {}),
        ("/action-logs/scan-anomalies", {"empty_ok": True}),
    ]
    found += [Endpoint("studio", BASE + path, "studio", headers=admin, **options) for path, options in studio]
    found.append(Endpoint("studio", "/api/ops/studio/load-test/submit-dispatches", "studio", also_503=True,
                          headers={"Host": HOST, "X-Studio-Executor-Secret": "studio-local-executor-secret"}))
    return found


def post(services, endpoint, raw):
    url = services[endpoint.service] + endpoint.path.format(run=services["run"])
    headers = {"Content-Type": "application/json", **(endpoint.headers or {})}
    return httpx.post(url, content=raw, headers=headers, timeout=30)


def reason(endpoint, answer):
    """(field named or None, the reason's text) from an error answer in the endpoint's contract shape."""
    body = answer.json()
    if endpoint.shape == "ecs":
        assert set(body) == {"__type", "message"}, body
        return None, body["message"]
    if endpoint.shape == "studio":
        assert body["success"] is False, body
        fields = body.get("data") or {}
        return next(iter(fields), None), " ".join([body["message"], *(m for ms in fields.values() for m in ms)])
    return body.get("field"), body["message"]


CASES = [(endpoint, case) for endpoint in endpoints() for case in HOSTILE]


@pytest.mark.parametrize("endpoint, case", CASES,
                         ids=[f"{e.service}:{e.path.rsplit('/', 2)[-2]}/{e.path.rsplit('/', 1)[-1]}"
                              f"{(e.headers or {}).get('X-Amz-Target', '').rsplit('.', 1)[-1]}:{c[0]}"
                              for e, c in CASES])
def test_a_hostile_body_is_refused_with_a_reason_and_never_a_server_error(services, endpoint, case):
    name, raw, names_body = case
    answer = post(services, endpoint, raw)

    assert answer.status_code < 500 or (endpoint.also_503 and answer.status_code == 503), answer.text[:500]
    if endpoint.empty_ok and not raw:
        return
    if endpoint.shape == "studio" and not raw:  # the studio takes an empty body as an empty object
        names_body = False
    if not endpoint.reads_body:  # the answer to no body at all, or the load balancer's refusal of a huge one
        too_large = endpoint.service == "lb" and answer.status_code == 413 and reason(endpoint, answer)[1]
        assert too_large or answer.status_code == post(services, endpoint, b"").status_code, answer.text[:500]
        return
    assert 400 <= answer.status_code < 500 or answer.status_code == 503, answer.text[:500]
    field, text = reason(endpoint, answer)
    if answer.status_code == 503:
        return
    if endpoint.shape == "ecs":
        assert answer.json()["__type"] == ("SerializationException" if names_body else "InvalidParameterException")
    elif names_body:
        assert field == "body" or answer.status_code == 413, (name, answer.text[:500])
    else:
        assert field not in (None, "body"), (name, answer.text[:500])
    assert text.strip(), (name, answer.text[:500])
