"""An edit worker process on its own: real git, a real build, real uploads to moto's S3 and logs."""
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from stack.settings import NAMES, aws_client
from tests.stack.processes import Processes, free_port, make_settings


class Worker:
    def __init__(self, scratch, aws, faults=()):
        self.settings_path, self.settings = make_settings(scratch, aws, faults=list(faults))
        self.task_id = uuid.uuid4().hex
        self.url = f"http://127.0.0.1:{free_port()}"
        self.processes = Processes(str(Path(self.settings["runtime_dir"], "logs")))
        self.processes.start(
            "worker",
            ["-m", "stack.preview.worker", "--settings", self.settings_path, "--port", self.url.rsplit(":", 1)[1],
             "--task-arn", f"arn:aws:ecs:us-east-1:123456789012:task/{NAMES['cluster']}/{self.task_id}"],
            f"{self.url}/health",
        )

    def work(self, session, instruction):
        return httpx.post(f"{self.url}/work", json={**session, "instruction": instruction}, timeout=30)

    def project(self, session):
        return Path(self.settings["workspace_root"], session["clientId"], session["userId"], "project")


@pytest.fixture
def worker(scratch, aws):
    started = Worker(scratch, aws)
    yield started
    started.processes.stop_all()


def new_session(user=None):
    return {"sessionId": str(uuid.uuid4()), "clientId": "TEST_client", "userId": user or f"TEST_{uuid.uuid4().hex[:8]}",
            "threadId": f"thread-{uuid.uuid4().hex[:8]}"}


def git_log(project, ref="HEAD"):
    log = subprocess.run(["git", "log", "--format=%s", ref], cwd=project, capture_output=True, text=True, check=True)
    return log.stdout


def test_instructions_are_committed_built_uploaded_pushed_and_logged(worker):
    session = new_session()

    created = worker.work(session, "Create a components/Header.astro file").json()
    updated = worker.work(session, "Update Header.astro with new content").json()

    assert created["status"] == updated["status"] == "done"
    assert created["files"] == ["src/components/Header.astro"] and updated["message"] == "Update Header component"
    project = worker.project(session)
    assert git_log(project).splitlines()[:2] == ["Update Header component", "Create Header component"]
    remote = Path(worker.settings["git_remote_root"], session["clientId"], f"{session['userId']}.git")
    assert "Create Header component" in git_log(remote, session["threadId"])
    uploaded = aws_client(worker.settings, "s3").get_object(
        Bucket=NAMES["preview_bucket"], Key=f"{session['clientId']}/{session['sessionId']}/index.html")
    assert uploaded["ContentType"] == "text/html" and b"<title>Home</title>" in uploaded["Body"].read()
    events = aws_client(worker.settings, "logs").get_log_events(
        logGroupName=NAMES["edit_log_group"], logStreamName=worker.task_id)["events"]
    markers = [e["message"] for e in events]
    assert markers[0] == f"Container started task={worker.task_id}"
    tags = f"session={session['sessionId']} thread={session['threadId']}"
    for marker in ("Claude command completed", "Build complete", "S3 sync complete", "Git push complete"):
        assert any(m.startswith(f"{marker} {tags}") for m in markers), (marker, markers)


def test_the_preview_is_served_only_for_the_held_session(worker):
    session = new_session()
    worker.work(session, 'Add a new page called "Test Page"')
    base = f"{worker.url}/session/{session['sessionId']}"

    index = httpx.get(base)
    page = httpx.get(f"{base}/test-page.html")

    assert index.status_code == 200 and f'<base href="/session/{session["sessionId"]}/">' in index.text
    assert "<title>Test Page</title>" in page.text and httpx.get(f"{base}/test-page").status_code == 200
    assert httpx.get(f"{base}/health").json() == {"status": "healthy", "sessionId": session["sessionId"]}
    assert httpx.get(f"{base}/nope").status_code == 404
    assert httpx.get(f"{base}/..%2F..%2Fsettings").status_code in (400, 404)
    assert worker.work(new_session(), "Create page A").status_code == 409

    httpx.post(f"{worker.url}/release", json={"sessionId": session["sessionId"]})

    assert httpx.get(f"{worker.url}/health").json()["session"] is None
    assert httpx.get(base).status_code == 404


def test_a_new_session_resumes_the_workspace_and_its_history(worker):
    first = new_session()
    worker.work(first, "Create a components/Header.astro file")
    httpx.post(f"{worker.url}/release", json={"sessionId": first["sessionId"]})

    second = new_session(first["userId"])
    answer = worker.work(second, "Update Header.astro with new content").json()

    assert answer["status"] == "done"
    assert git_log(worker.project(second), second["threadId"]).splitlines()[:2] == [
        "Update Header component", "Create Header component"]


def test_an_instruction_it_cannot_apply_fails_and_commits_nothing(worker):
    session = new_session()
    worker.work(session, "Create page A")
    before = git_log(worker.project(session))

    not_understood = worker.work(session, "Make it pop").json()
    missing = worker.work(session, "Update Footer.astro with new content").json()

    assert not_understood == {"status": "failed", "reason": "could not understand instruction: 'Make it pop'"}
    assert missing["status"] == "failed" and "does not exist" in missing["reason"]
    assert git_log(worker.project(session)) == before


@pytest.mark.parametrize(
    "field, value", [("clientId", "../../etc"), ("userId", "a/b"), ("sessionId", ""), ("threadId", 7)]
)
def test_ids_that_could_leave_the_workspace_are_refused(worker, field, value):
    answer = worker.work({**new_session(), field: value}, "Create page A")
    assert answer.status_code == 400 and answer.json()["field"] == field
    assert httpx.get(f"{worker.url}/health").json()["session"] is None


def test_fault_instruction_not_applied_commits_without_the_file(scratch, aws):
    faulty = Worker(scratch, aws, faults=["instruction_not_applied"])
    try:
        session = new_session()
        answer = faulty.work(session, 'Add a new page called "Test Page"').json()
        assert answer["status"] == "done" and answer["files"] == []
        assert git_log(faulty.project(session)).splitlines()[0] == "Add Test Page page"
        assert not (faulty.project(session) / "src/pages/test-page.astro").exists()
    finally:
        faulty.processes.stop_all()
