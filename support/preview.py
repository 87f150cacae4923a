"""The preview platform as its users and operators see it: the session API through the load
balancer, the edit service through ECS, sessions in DynamoDB and previews over HTTP."""
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from boto3.dynamodb.types import TypeDeserializer

from support.waits import eventually

ACTIVATE = "/hermes/api/sessions/activate"
ACTIVE_STATES = ("initializing", "active")
MAX_INSTRUCTION = 2000


class ActivationRefused(AssertionError):
    def __init__(self, response):
        self.response = response
        super().__init__(f"activation refused: {response.status_code} {response.text[:300]}")


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


def malformed_activation(problem, client_id, user_id):
    """An activation body with exactly one thing wrong, named in the words a scenario uses."""
    body = {"clientId": client_id, "userId": user_id, "instruction": 'Add a new page called "Refused"'}
    changes = {
        "no client": lambda b: b.pop("clientId"),
        "no user": lambda b: b.pop("userId"),
        "no instruction": lambda b: b.pop("instruction"),
        "a user name with path characters": lambda b: b.update(userId="../../etc"),
        "a client name with path characters": lambda b: b.update(clientId=f"{client_id}/../../x"),
        "an instruction that is not text": lambda b: b.update(instruction=42),
        "an instruction that is far too long": lambda b: b.update(instruction="a" * (MAX_INSTRUCTION * 5)),
    }
    if problem not in changes:
        raise KeyError(f"unknown activation problem {problem!r}; known: {', '.join(changes)}")
    changes[problem](body)
    return body


class PreviewClient:
    def __init__(self, http, aws, profile, interval):
        self.http = http
        self.ecs = aws("ecs")
        self.dynamodb = aws("dynamodb")
        self.s3 = aws("s3")
        self.logs = aws("logs")
        self.names = profile["names"]
        self.markers = profile["log_markers"]
        self.interval = interval

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
        response = self.activate_e({"clientId": client_id, "userId": user_id, "instruction": instruction})
        if response.status_code != 201:
            raise ActivationRefused(response)
        answer = response.json()
        session = Session(answer["sessionId"], client_id, user_id, instruction, answer["previewUrl"])
        on_created(self.deactivate, session)
        return session

    def deactivate(self, session):
        self.http.post(f"/hermes/api/sessions/{session.id}/deactivate", attach=False)

    def status(self, session):
        response = self.http.get(f"/hermes/api/sessions/{session.id}/status", attach=False)
        return {"http": response.status_code, **(response.json() if response.content else {})}

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
        """Ready means the load balancer reaches the session's own container, as a browser would."""
        return eventually(
            lambda: self.http.get(f"/session/{session.id}/health", attach=False).status_code,
            until=lambda code: code == 200,
            within=within,
            describe=f"the edit container of session {session.id} to answer through the load balancer",
            interval=self.interval,
        )

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
        if index.status_code != 200:
            return {"url": session.preview_url, "status": index.status_code, "title": None}
        seen = []
        for link in parse_page(index.text).links:
            url = urljoin(session.preview_url.rstrip("/") + "/", link)
            page = self.http.get(url, attach=False)
            page_title = parse_page(page.text).title.strip() if page.status_code == 200 else None
            seen.append(page_title)
            if page_title == title:
                return {"url": url, "status": page.status_code, "title": page_title}
        return {"url": session.preview_url, "status": index.status_code, "title": None, "titles_seen": seen}


def _plain(item):
    deserialize = TypeDeserializer().deserialize
    return {key: deserialize(value) for key, value in item.items()}
