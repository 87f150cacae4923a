"""Live reload through the load balancer, and sessions that continue, end and resume.

One platform (moto, orchestrator, Hermes, router) for the module, used as a browser and the
session API's clients use it.
"""
import asyncio
import json
from pathlib import Path

import aiohttp
import httpx
import pytest

from stack.settings import NAMES
from tests.stack.processes import wait_until
from tests.stack.test_end_to_end import (
    ACTIVATE, COLD_START_S, identity, kept_alive_status, sessions_of, wait_for_zero,
)
from tests.stack.test_hostile_bodies import NEVER_ISSUED

RELOAD_WITHIN_S = 15.0
MAX_EDIT_TASKS = 2


@pytest.fixture
def lb(platform):
    with httpx.Client(base_url=platform.url("lb"), timeout=30) as client:
        yield client
    wait_for_zero(platform)


def active_session(lb, ids, instruction="Create page A"):
    answer = lb.post(ACTIVATE, json={**ids, "instruction": instruction})
    assert answer.status_code == 201, answer.text
    sid = answer.json()["sessionId"]
    wait_until(lambda: kept_alive_status(lb, sid), until=lambda s: s["status"] == "active", within=COLD_START_S,
               describe=f"session {sid} to become active")
    return sid


async def reload_after(url, sid, instruct):
    """Opens live reload, runs `instruct()` once it is connected, and returns every message until a reload."""
    messages = []
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, params={"sessionId": sid}, protocols=("vite-hmr",)) as socket:
            async for message in socket:
                messages.append(json.loads(message.data))
                if messages[-1]["type"] == "connected":
                    await asyncio.to_thread(instruct)
                if messages[-1]["type"] == "full-reload":
                    return messages, socket.protocol
    return messages, None


def test_the_next_instruction_continues_the_session_and_reloads_its_preview(platform, lb):
    ids = identity()
    sid = active_session(lb, ids)
    answers = []

    def next_instruction():
        answers.append(lb.post(ACTIVATE, json={**ids, "instruction": "Create page B"}))

    url = platform.url("lb", "/ws/hmr").replace("http", "ws", 1)
    messages, protocol = asyncio.run(asyncio.wait_for(reload_after(url, sid, next_instruction), RELOAD_WITHIN_S))

    assert messages == [{"type": "connected"}, {"type": "full-reload", "path": "*"}] and protocol == "vite-hmr"
    assert answers[0].status_code == 200 and answers[0].json()["sessionId"] == sid
    assert "Page B" in lb.get(f"/session/{sid}/page-b.html").text
    assert len(sessions_of(platform, ids)) == 1
    lb.post(f"/hermes/api/sessions/{sid}/deactivate")


@pytest.mark.parametrize(
    "query, status, field",
    [({}, 400, "sessionId"), ({"sessionId": "../../etc/passwd"}, 400, "sessionId"),
     ({"sessionId": "a..b"}, 400, "sessionId"), ({"sessionId": NEVER_ISSUED}, 404, None)],
)
def test_live_reload_without_a_live_session_is_refused_with_a_reason(lb, query, status, field):
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}

    answer = lb.get("/ws/hmr", params=query, headers=upgrade)

    assert answer.status_code == status and "message" in answer.json()
    assert answer.json().get("field") == field


def test_live_reload_needs_a_websocket_upgrade(lb):
    sid = active_session(lb, identity())

    answer = lb.get("/ws/hmr", params={"sessionId": sid})

    assert answer.status_code == 400 and "WebSocket" in answer.json()["message"]
    lb.post(f"/hermes/api/sessions/{sid}/deactivate")


def test_scaling_the_service_to_zero_ends_the_session_and_the_next_one_resumes_its_workspace(platform, lb):
    ids = identity()
    first = active_session(lb, ids, "Create a components/Header.astro file")
    ecs = platform.client("ecs")

    ecs.update_service(cluster=NAMES["cluster"], service=NAMES["edit_service"], desiredCount=0)

    wait_until(lambda: lb.get(f"/hermes/api/sessions/{first}/status").json()["status"], until=lambda s: s == "expired",
               within=COLD_START_S, describe=f"session {first} to end with its task")
    wait_for_zero(platform)
    second = active_session(lb, ids, "Update Header.astro with new content")
    project = Path(platform.settings["workspace_root"], ids["clientId"], ids["userId"], "project")
    assert second != first and (project / "src/components/Header.astro").is_file()
    assert lb.get(f"/hermes/api/sessions/{second}/status").json()["instructionStatus"] == "done"
    lb.post(f"/hermes/api/sessions/{second}/deactivate")


def test_an_instruction_naming_a_file_outside_the_project_writes_nothing_anywhere(platform, lb):
    ids = identity()
    root = Path(platform.settings["workspace_root"])
    sid = active_session(lb, ids, "Create page A")

    for instruction in ("Create a components/../../../../outside.astro file", "Update ../../outside.astro with x"):
        lb.post(ACTIVATE, json={**ids, "instruction": instruction})
        status = wait_until(lambda: kept_alive_status(lb, sid), until=lambda s: s["instructionStatus"] != "running",
                            within=COLD_START_S, describe="the instruction to finish")
        assert status["instructionStatus"] == "failed" and "path characters" in status["instructionReason"]
    files = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "/project/" not in p.as_posix()]
    assert [f for f in files if not f.endswith(".workspace.lock")] == []
    lb.post(f"/hermes/api/sessions/{sid}/deactivate")


@pytest.mark.parametrize("path", ["..%2F..%2Fetc%2Fpasswd", "a..b", "%00", "x" * 200])
def test_session_api_ids_with_path_characters_get_a_4xx_json_reason(lb, path):
    for method, route in (("GET", "status"), ("POST", "keepalive"), ("POST", "deactivate")):
        answer = lb.request(method, f"/hermes/api/sessions/{path}/{route}")
        assert 400 <= answer.status_code < 500 and "message" in answer.json(), (method, route, answer.text)
    assert 400 <= lb.get(f"/hermes/api/sessions/client/{path}").status_code < 500
    assert 400 <= lb.get(f"/session/{path}").status_code < 500
