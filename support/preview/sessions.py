"""The preview platform as a site owner and its operators see it: the session API through the
load balancer and the preview over HTTP, with the edit service (support/preview/edit_service.py),
the session table (store.py) and the site's pages (pages.py) beside it."""
import asyncio
import json
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin

import aiohttp
import allure

from support.http import Answer, parse_body
from support.preview.edit_service import EditService
from support.preview.pages import parse_page
from support.preview.store import SessionStore
from support.waits import eventually

ACTIVATE = "/hermes/api/sessions/activate"
ACTIVE_STATES = ("initializing", "active")


class ActivationRefused(AssertionError):
    def __init__(self, answer):
        self.answer = answer
        super().__init__(f"activation refused: {answer}")


@dataclass
class Session:
    id: str
    client_id: str
    user_id: str
    instruction: str
    preview_url: str


# What the platform says when it refuses an instruction that names a file outside the project.
UNSAFE_REASONS = ("path characters", "outside the project")


@dataclass
class Owner:
    """One of several site owners in a scenario: what they asked, and what the platform answered."""

    label: str
    body: dict
    page: str = None
    answer: Answer = None
    session: Session = None


def owners_of_one_site(run, rows, client_id=None):
    """An Owner per (label, instruction, page) row, all editing one site (a new one unless given)."""
    client_id = client_id or run.name("site")
    return [Owner(label, {"clientId": client_id, "userId": f"{run.name(label)}@example.test",
                          "instruction": instruction}, page) for label, instruction, page in rows]


def refused_as_unsafe(outcome):
    reason = (outcome.get("instructionReason") or "").lower()
    return outcome.get("instructionStatus") == "failed" and any(words in reason for words in UNSAFE_REASONS)


def malformed_activation(problem, client_id, user_id, max_instruction):
    """An activation body with exactly one thing wrong, named in the words a scenario uses;
    `max_instruction` is the longest instruction the target accepts (its limit in the profile)."""
    body = {"clientId": client_id, "userId": user_id, "instruction": 'Add a new page called "Refused"'}
    changes = {
        "no client": lambda b: b.pop("clientId"),
        "no user": lambda b: b.pop("userId"),
        "no instruction": lambda b: b.pop("instruction"),
        "a user name with path characters": lambda b: b.update(userId="../../etc"),
        "a client name with path characters": lambda b: b.update(clientId=f"{client_id}/../../x"),
        "an instruction that is not text": lambda b: b.update(instruction=42),
        "an instruction that is far too long": lambda b: b.update(instruction="a" * (max_instruction * 5)),
    }
    if problem not in changes:
        raise KeyError(f"unknown activation problem {problem!r}; known: {', '.join(changes)}")
    changes[problem](body)
    return body


class PreviewClient:
    def __init__(self, http, aws, profile, workspace, interval):
        section = profile.area("preview")
        self.http = http
        self.workspace = workspace
        self.budgets = profile.budgets
        self.names = section["names"]
        self.markers = section["log_markers"]
        self.interval = interval
        self.s3 = aws("s3")
        self.logs = aws("logs")
        self.edit_service = EditService(aws("ecs"), self.names, interval)
        self.store = SessionStore(aws("dynamodb"), self.names["sessions_table"], interval)
        self.startups = []
        self.recent = []  # the sessions of the scenario that is running, for its diagnosis

    # The session API

    def activate_e(self, body):
        """Sends an activation as given and returns its Answer, for scenarios about refusals."""
        return self.http.post(ACTIVATE, json=body)

    def activate(self, client_id, user_id, instruction, on_created):
        answer = self.activate_e({"clientId": client_id, "userId": user_id, "instruction": instruction})
        if answer.status not in (200, 201):  # 200: the site owner's live session continues
            raise ActivationRefused(answer)
        return self._started(Session(answer.get("sessionId"), client_id, user_id, instruction,
                                     answer.get("previewUrl")), on_created)

    def adopt(self, item, on_created):
        """A Session for an item the platform started on its own (from an email), cleaned up like ours."""
        return self._started(Session(item["sessionId"], item["clientId"], item["userId"], None, item["previewUrl"]),
                             on_created)

    def _started(self, session, on_created):
        self.recent.append(session)
        on_created(self.end_session, session)
        return session

    def end_session(self, session):
        """A scenario's cleanup: let the platform release the session, then remove every trace of it."""
        self.deactivate(session)
        eventually(
            lambda: self.status(session),
            until=lambda s: s["http"] == 404 or s.get("status") == "expired",
            within=self.budgets["cleanup"],
            describe=f"session {session.id} to be released",
            interval=self.interval,
            report=False,
        )
        self.store.delete(session.id, thread_table=self.names["thread_table"])
        keys = [{"Key": key} for key in self._preview_keys(session)]
        if keys:
            self.s3.delete_objects(Bucket=self.names["preview_bucket"], Delete={"Objects": keys})
        self.workspace.remove(session.client_id, session.user_id)

    def deactivate(self, session):
        self.http.post(f"/hermes/api/sessions/{session.id}/deactivate", attach=False)

    def deactivate_e(self, session_id):
        """Asks to end a session by id, whatever the id holds, and returns its Answer."""
        return self.http.post(f"/hermes/api/sessions/{quote(session_id, safe='')}/deactivate")

    def keep_alive(self, session):
        self.http.post(f"/hermes/api/sessions/{session.id}/keepalive", attach=False)

    def status(self, session):
        answer = self.http.get(f"/hermes/api/sessions/{session.id}/status", attach=False)
        return {"http": answer.status, **(answer.body if isinstance(answer.body, dict) else {})}

    def through_load_balancer(self, path):
        """GET `path` at the load balancer, as a browser or a health checker would."""
        return self.http.get(path)

    # Waiting for sessions: one way, whatever the condition

    def _await(self, sessions, until, describe, within, kept_busy=()):
        """Waits until `until` holds for the sessions' statuses ({id: status answer}). The sessions in
        `kept_busy` get a keep-alive before each look, as an open preview sends them."""
        def probe():
            for session in kept_busy:
                self.keep_alive(session)
            return {s.id: self.status(s) for s in sessions}

        return eventually(probe, until=until, within=within, describe=describe, interval=self.interval)

    def wait_for_status(self, session, wanted, within):
        return self._await([session], lambda seen: seen[session.id].get("status") == wanted,
                           f"session {session.id} to be {wanted}", within)[session.id]

    def wait_for_instruction_outcome(self, session, within):
        """The session's status once its instruction has finished, whether it succeeded or not."""
        return self._await([session], lambda seen: seen[session.id].get("instructionStatus") in ("done", "failed"),
                           f"the instruction of session {session.id} to finish", within)[session.id]

    def wait_until_all_active(self, sessions, within):
        """All `sessions` active at once. Their owners are looking at their previews meanwhile, so
        the first to start is not idle before the last is up."""
        return self._await(sessions, lambda seen: _all(seen, "status", "active"),
                           f"all {len(sessions)} sessions to be active", within, kept_busy=sessions)

    def wait_until_started(self, sessions, within):
        """Every one of `sessions` has left `initializing`: its task took it, or it ended."""
        return self._await(sessions, lambda seen: not _any(seen, "status", "initializing"),
                           f"{len(sessions)} session(s) to leave initializing", within)

    def wait_until_expired(self, expiring, kept_busy, within):
        """Waits for `expiring` to expire while `kept_busy` keeps working."""
        return self._await(expiring, lambda seen: _all(seen, "status", "expired"),
                           f"{len(expiring)} idle session(s) to expire while another works", within,
                           kept_busy=[kept_busy])

    def wait_until_instructions_settled(self, sessions, within):
        """Waits until none of `sessions` is still applying an instruction; their statuses."""
        return self._await(sessions, lambda seen: not _any(seen, "instructionStatus", "running"),
                           f"the instructions of {len(sessions)} session(s) to settle", within)

    def wait_until_ready(self, session, within):
        """Ready means the load balancer reaches the session's own container, as a browser would.

        Each wait's duration is kept as a startup time for the run's report.
        """
        started = time.monotonic()
        eventually(
            lambda: self.http.get(f"/session/{session.id}/health", attach=False).status,
            until=lambda code: code == 200,
            within=within,
            describe=f"the edit container of session {session.id} to answer through the load balancer",
            interval=self.interval,
        )
        self.startups.append(time.monotonic() - started)

    def wait_for_new_commit_in_conversation(self, client_id, thread_id, after, within):
        """The client's session in `thread_id` once it has recorded a commit other than `after`."""
        def probe():
            return next((item for item in self.store.sessions_of(client_id) if item.get("threadId") == thread_id
                         and item.get("lastCommit") not in (None, after)), None)

        return eventually(probe, until=bool, within=within,
                          describe=f"a new change in conversation {thread_id}", interval=self.interval)

    # Several sessions at once, crashes and recovery

    def activate_together(self, bodies):
        """Sends every activation at the same moment and returns the Answers in order.

        aiohttp, not the suite's httpx client: all requests leave from one event loop together.
        """
        async def send(session, body):
            async with session.post(self.http.base_url + ACTIVATE, json=body) as response:
                return Answer(response.status, parse_body(await response.text()), dict(response.headers))

        async def burst():
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
                return await asyncio.gather(*(send(session, body) for body in bodies))

        answers = asyncio.run(burst())
        transcript = [{"request": body, "status": a.status, "answer": a.body} for body, a in zip(bodies, answers)]
        allure.attach(json.dumps(transcript, indent=2, default=str), name=f"{len(bodies)} activations at once",
                      attachment_type=allure.attachment_type.JSON)
        return answers

    def ask_together(self, owners, on_created):
        """Every owner asks at the same moment; each gets their Answer, and their Session when accepted."""
        for owner, answer in zip(owners, self.activate_together([owner.body for owner in owners])):
            owner.answer = answer
            if answer.accepted:
                body = owner.body
                owner.session = self._started(Session(answer.get("sessionId"), body["clientId"], body["userId"],
                                                      body["instruction"], answer.get("previewUrl")), on_created)
        return owners

    def wait_for_replacement(self, session, crashed_arn, within):
        """A task other than the crashed one runs for the edit service. Probes as an open preview
        does, with a keep-alive, so that the session is not ended as idle while it waits."""
        def probe():
            self.keep_alive(session)
            return self.edit_service.running()

        return eventually(
            probe,
            until=lambda tasks: any(arn != crashed_arn and status == "RUNNING" for arn, status in tasks.items()),
            within=within,
            describe=f"the edit service to replace crashed task {crashed_arn.rsplit('/', 1)[-1]}",
            interval=self.interval,
        )

    def wait_for_preview_back(self, session, crashed_arn, within):
        """The session, still active, answers through the load balancer from a task that is not the crashed one."""
        def probe():
            self.keep_alive(session)
            health = self.http.get(f"/session/{session.id}/health", attach=False).status
            return {"health": health, "status": self.status(session).get("status"),
                    "task": self.store.task_arn(session)}

        return eventually(
            probe,
            until=lambda seen: seen["health"] == 200 and seen["status"] == "active" and seen["task"] != crashed_arn,
            within=within,
            describe=f"the preview of session {session.id} to answer from a replacement task",
            interval=self.interval,
        )

    def wait_for_workspace_file(self, session, relative_path, within):
        return eventually(
            lambda: self.workspace.has_file(session.client_id, session.user_id, relative_path,
                                            task_arn=self.store.task_arn(session)),
            until=bool,
            within=within,
            describe=f"{relative_path} in the workspace of {session.client_id}/{session.user_id}",
            interval=self.interval,
        )

    # What the session left in the preview bucket and the logs

    def _preview_keys(self, session):
        prefix = self.names["preview_prefix"].format(client=session.client_id, session=session.id)
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.names["preview_bucket"], Prefix=prefix)
        return [obj["Key"] for page in pages for obj in page.get("Contents", [])]

    def published_pages(self, session):
        """Keys of the built pages uploaded for this session (the contract's `<client>/<session>/` layout)."""
        prefix = self.names["preview_prefix"].format(client=session.client_id, session=session.id)
        return sorted(key[len(prefix):] for key in self._preview_keys(session))

    def _log_lines(self, **query):
        lines = []
        for group in (self.names["hermes_log_group"], self.names["edit_log_group"]):
            pages = self.logs.get_paginator("filter_log_events").paginate(logGroupName=group, **query)
            lines += [(e["timestamp"], e["message"]) for page in pages for e in page.get("events", [])]
        return [message for _, message in sorted(lines)]

    def stage_messages(self, session):
        """Every log line of the platform that names this session, oldest first."""
        return self._log_lines(filterPattern=f'"{session.id}"')

    def stages_logged(self, session, stages):
        """{stage: True/False} for each named stage whose marker appears in a line naming the session."""
        messages = self.stage_messages(session)
        return {stage: any(self.markers[stage] in m for m in messages) for stage in stages}

    # The preview, over HTTP like a browser

    def page_titled(self, session, title):
        """Follows the preview's links to the page titled `title`; returns (url, status) or None."""
        index = self.http.get(session.preview_url)
        if index.status != 200:
            return {"url": session.preview_url, "status": index.status, "title": None}
        seen = []
        for link in parse_page(index.text).links:
            url = urljoin(session.preview_url.rstrip("/") + "/", link)
            page = self.http.get(url, attach=False)
            page_title = parse_page(page.text).title.strip() if page.status == 200 else None
            seen.append(page_title)
            if page_title == title:
                return {"url": url, "status": page.status, "title": page_title}
        return {"url": session.preview_url, "status": index.status, "title": None, "titles_seen": seen}

    # When a scenario fails

    def diagnosis(self):
        """What explains a failed scenario: the edit service's counts, its tasks and why they
        stopped, the scenario's sessions as stored and as the API reports them, and the last log lines."""
        sessions = {s.id: {"stored": self.store.item(s.id), "reported": self.status(s)} for s in self.recent}
        since = int((time.time() - 120) * 1000)
        return {"edit_service": self.edit_service.snapshot(), "sessions": sessions,
                "last_log_lines": self._log_lines(startTime=since)[-15:]}


def _all(seen, key, value):
    return all(status.get(key) == value for status in seen.values())


def _any(seen, key, value):
    return any(status.get(key) == value for status in seen.values())
