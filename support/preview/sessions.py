"""The preview platform as its users and operators see it: the session API through the load
balancer, the edit service through ECS, sessions in DynamoDB and previews over HTTP."""
import asyncio
import json
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urljoin

import aiohttp
import allure
from boto3.dynamodb.types import TypeDeserializer

from support.http import Answer, parse_body
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


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.title, self._in_title = [], "", False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_page(html):
    parser = _Links()
    parser.feed(html)
    return parser


def page_source_path(title):
    """Where the contract says a page titled `title` lives in the project."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"src/pages/{slug}.astro"


def component_source_path(name):
    return f"src/components/{name}.astro"


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
        self.http = http
        self.workspace = workspace
        self.budgets = profile.budgets
        self.startups = []
        self.ecs = aws("ecs")
        self.dynamodb = aws("dynamodb")
        self.s3 = aws("s3")
        self.logs = aws("logs")
        self.names = profile.area("preview")["names"]
        self.markers = profile.area("preview")["log_markers"]
        self.interval = interval
        self.recent = []  # the sessions of the scenario that is running, for its diagnosis

    # The edit service, through ECS

    def edit_service(self):
        service = self.ecs.describe_services(
            cluster=self.names["cluster"], services=[self.names["edit_service"]]
        )["services"][0]
        return {key: service[f"{key}Count"] for key in ("desired", "running", "pending")}

    def wait_for_edit_service(self, count, within):
        return eventually(
            self.edit_service,
            until=lambda s: s["desired"] == count and s["running"] == count and s["pending"] == 0,
            within=within,
            describe=f"the edit service to run exactly {count} task(s)",
            interval=self.interval,
        )

    def scale_edit_service(self, count):
        self.ecs.update_service(cluster=self.names["cluster"], service=self.names["edit_service"],
                                desiredCount=count)

    # The session API

    def activate_e(self, body):
        """Sends an activation as given and returns the raw answer, for scenarios about refusals."""
        return self.http.post(ACTIVATE, json=body)

    def activate(self, client_id, user_id, instruction, on_created):
        answer = self.activate_e({"clientId": client_id, "userId": user_id, "instruction": instruction})
        if answer.status not in (200, 201):  # 200: the site owner's live session continues
            raise ActivationRefused(answer)
        session = Session(answer.get("sessionId"), client_id, user_id, instruction, answer.get("previewUrl"))
        self.recent.append(session)
        on_created(self.end_session, session)
        return session

    def adopt(self, item, on_created):
        """A Session for an item the platform started on its own (from an email), cleaned up like ours."""
        session = Session(item["sessionId"], item["clientId"], item["userId"], None, item["previewUrl"])
        self.recent.append(session)
        on_created(self.end_session, session)
        return session

    def wait_for_new_commit_in_conversation(self, client_id, thread_id, after, within):
        """The client's session in `thread_id` once it has recorded a commit other than `after`."""
        def probe():
            return next((item for item in self.sessions_of(client_id) if item.get("threadId") == thread_id
                         and item.get("lastCommit") not in (None, after)), None)

        return eventually(probe, until=bool, within=within,
                          describe=f"a new change in conversation {thread_id}", interval=self.interval)

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
        self.dynamodb.delete_item(TableName=self.names["sessions_table"], Key={"sessionId": {"S": session.id}})
        prefix = self.names["preview_prefix"].format(client=session.client_id, session=session.id)
        listing = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.names["preview_bucket"], Prefix=prefix)
        keys = [{"Key": obj["Key"]} for page in listing for obj in page.get("Contents", [])]
        if keys:
            self.s3.delete_objects(Bucket=self.names["preview_bucket"], Delete={"Objects": keys})
        self.workspace.remove(session.client_id, session.user_id)

    def deactivate(self, session):
        self.http.post(f"/hermes/api/sessions/{session.id}/deactivate", attach=False)

    def status(self, session):
        answer = self.http.get(f"/hermes/api/sessions/{session.id}/status", attach=False)
        return {"http": answer.status, **(answer.body if isinstance(answer.body, dict) else {})}

    def wait_for_status(self, session, wanted, within):
        return eventually(
            lambda: self.status(session),
            until=lambda s: s.get("status") == wanted,
            within=within,
            describe=f"session {session.id} to be {wanted}",
            interval=self.interval,
        )

    def wait_for_instruction_outcome(self, session, within):
        """The session's status once its instruction has finished, whether it succeeded or not."""
        return eventually(
            lambda: self.status(session),
            until=lambda s: s.get("instructionStatus") in ("done", "failed"),
            within=within,
            describe=f"the instruction of session {session.id} to finish",
            interval=self.interval,
        )

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

    # What the session left in the session table

    def recorded_session(self, session_id):
        item = self.dynamodb.get_item(TableName=self.names["sessions_table"], Key={"sessionId": {"S": session_id}},
                                      ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def task_arn(self, session):
        item = self.recorded_session(session.id) or {}
        return item.get("fargateTaskArn")

    def wait_until_recorded(self, session, within):
        return eventually(
            lambda: self.recorded_session(session.id),
            until=lambda item: item is not None,
            within=within,
            describe=f"session {session.id} to be in the session table",
            interval=self.interval,
        )

    def sessions_of(self, *identities):
        """Every session item whose client or user is one of `identities`."""
        paginator = self.dynamodb.get_paginator("scan")
        found = []
        for name in identities:
            pages = paginator.paginate(
                TableName=self.names["sessions_table"],
                FilterExpression="clientId = :n OR userId = :n",
                ExpressionAttributeValues={":n": {"S": name}},
                ConsistentRead=True,
            )
            found += [_plain(item) for page in pages for item in page["Items"]]
        return found

    # What the session left in the preview bucket and the logs

    def published_pages(self, session):
        """Keys of the built pages uploaded for this session (the contract's `<client>/<session>/` layout)."""
        prefix = self.names["preview_prefix"].format(client=session.client_id, session=session.id)
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.names["preview_bucket"], Prefix=prefix)
        return sorted(obj["Key"][len(prefix):] for page in pages for obj in page.get("Contents", []))

    def stage_messages(self, session):
        """Every log line of the platform that names this session, oldest first."""
        messages = []
        for group in (self.names["hermes_log_group"], self.names["edit_log_group"]):
            pages = self.logs.get_paginator("filter_log_events").paginate(
                logGroupName=group, filterPattern=f'"{session.id}"')
            messages += [(e["timestamp"], e["message"]) for page in pages for e in page.get("events", [])]
        return [message for _, message in sorted(messages)]

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
                owner.session = Session(answer.body["sessionId"], body["clientId"], body["userId"],
                                        body["instruction"], answer.body["previewUrl"])
                self.recent.append(owner.session)
                on_created(self.end_session, owner.session)
        return owners

    def keep_alive(self, session):
        self.http.post(f"/hermes/api/sessions/{session.id}/keepalive", attach=False)

    def wait_until_all_active(self, sessions, within):
        """All `sessions` active at once. Their owners are looking at their previews meanwhile (a
        keep-alive before each look), so the first to start is not idle before the last is up."""
        def probe():
            for session in sessions:
                self.keep_alive(session)
            return {s.id: self.status(s).get("status") for s in sessions}

        return eventually(probe, until=lambda seen: all(status == "active" for status in seen.values()),
                          within=within, describe=f"all {len(sessions)} sessions to be active", interval=self.interval)

    def wait_until_started(self, sessions, within):
        """Every one of `sessions` has left `initializing`: its task took it, or it ended."""
        return eventually(
            lambda: {s.id: self.status(s).get("status") for s in sessions},
            until=lambda seen: "initializing" not in seen.values(),
            within=within,
            describe=f"{len(sessions)} session(s) to leave initializing",
            interval=self.interval,
        )

    def wait_until_expired(self, expiring, kept_busy, within):
        """Waits for `expiring` to expire while `kept_busy` keeps working (a keep-alive before each look)."""
        def probe():
            self.keep_alive(kept_busy)
            return {s.id: self.status(s).get("status") for s in expiring}

        return eventually(probe, until=lambda seen: all(status == "expired" for status in seen.values()),
                          within=within, describe=f"{len(expiring)} idle session(s) to expire while another works",
                          interval=self.interval)

    def wait_until_instructions_settled(self, sessions, within):
        """Waits until none of `sessions` is still applying an instruction; their statuses."""
        return eventually(
            lambda: {s.id: self.status(s) for s in sessions},
            until=lambda seen: all(status.get("instructionStatus") != "running" for status in seen.values()),
            within=within,
            describe=f"the instructions of {len(sessions)} session(s) to settle",
            interval=self.interval,
        )

    def edit_tasks(self):
        """{task ARN: last status} of the edit service's tasks that are meant to run."""
        cluster = self.names["cluster"]
        arns = self.ecs.list_tasks(cluster=cluster, serviceName=self.names["edit_service"],
                                   desiredStatus="RUNNING")["taskArns"]
        tasks = self.ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
        return {task["taskArn"]: task["lastStatus"] for task in tasks}

    def wait_for_replacement(self, session, crashed_arn, within):
        """A task other than the crashed one runs for the edit service. Probes as an open preview
        does, with a keep-alive, so that the session is not ended as idle while it waits."""
        def probe():
            self.keep_alive(session)
            return self.edit_tasks()

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
            return {"health": health, "status": self.status(session).get("status"), "task": self.task_arn(session)}

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
                                            task_arn=self.task_arn(session)),
            until=bool,
            within=within,
            describe=f"{relative_path} in the workspace of {session.client_id}/{session.user_id}",
            interval=self.interval,
        )

    def diagnosis(self):
        """What explains a failed scenario: the edit service's counts, its tasks and why they
        stopped, the scenario's sessions as stored and as the API reports them, and the last log lines."""
        cluster = self.names["cluster"]
        tasks = []
        for status in ("RUNNING", "STOPPED"):
            arns = self.ecs.list_tasks(cluster=cluster, serviceName=self.names["edit_service"],
                                       desiredStatus=status)["taskArns"][-10:]
            if arns:
                tasks += [{key: task.get(key) for key in ("taskArn", "lastStatus", "desiredStatus", "stoppedReason")}
                          for task in self.ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]]
        sessions = {s.id: {"stored": self.recorded_session(s.id), "reported": self.status(s)} for s in self.recent}
        last_lines = []
        for group in (self.names["hermes_log_group"], self.names["edit_log_group"]):
            events = self.logs.filter_log_events(logGroupName=group, limit=200).get("events", [])
            last_lines += [(e["timestamp"], e["message"]) for e in events]
        return {"edit_service": self.edit_service(), "tasks": tasks, "sessions": sessions,
                "last_log_lines": [message for _, message in sorted(last_lines)[-15:]]}

    def deactivate_e(self, session_id):
        """Asks to end a session by id, whatever the id holds, and returns the raw answer."""
        return self.http.post(f"/hermes/api/sessions/{quote(session_id, safe='')}/deactivate")

    def through_load_balancer(self, path):
        """GET `path` at the load balancer, as a browser or a health checker would."""
        return self.http.get(path)


def _plain(item):
    deserialize = TypeDeserializer().deserialize
    return {key: deserialize(value) for key, value in item.items()}
