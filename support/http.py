"""An HTTP client whose every exchange shows up in the Allure report, with secrets redacted, and
the one `Answer` every area's clients return, so that a refusal reads the same everywhere."""
import json
from dataclasses import dataclass, field

import allure
import httpx

REDACTED = "«redacted»"
SECRET_HEADERS = {"authorization", "x-api-key", "cookie", "set-cookie"}


def _redact(text, secrets):
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _body(content, limit=4000):
    if not content:
        return ""
    text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
    try:
        text = json.dumps(json.loads(text), indent=2)
    except ValueError:
        pass
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters)"


# Refusals a client should simply retry: too many requests, or a service without capacity.
TRY_AGAIN_STATUSES = (429, 503)


def parse_body(text):
    """The JSON a body holds, or its text when it is not JSON."""
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


@dataclass
class Answer:
    """One HTTP answer: its status, its body (parsed JSON, or the text), and its headers."""

    status: int
    body: object = None
    headers: dict = field(default_factory=dict)

    @classmethod
    def of(cls, response):
        """An Answer from an httpx response."""
        return cls(response.status_code, parse_body(response.text), dict(response.headers))

    @property
    def accepted(self):
        return 200 <= self.status < 300

    @property
    def text(self):
        return self.body if isinstance(self.body, str) else json.dumps(self.body, default=str)

    def get(self, key, default=None):
        """A field of a JSON object body; `default` for any other body."""
        return self.body.get(key, default) if isinstance(self.body, dict) else default

    @property
    def reason(self):
        """Why the system refused, in its own words: the error envelope's message, or the text."""
        for key in ("message", "reason", "error", "detail"):
            value = self.get(key)
            if isinstance(value, str) and value.strip():
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"]
        return self.body if isinstance(self.body, str) else ""

    def asks_to_try_again(self):
        """The one rule for "come back later": a retryable status and a reason that says so."""
        return self.status in TRY_AGAIN_STATUSES and "try again" in self.reason.lower()

    def __str__(self):
        return f"{self.status} {self.text[:600]}"


class Http:
    def __init__(self, base_url, secrets=(), timeout=10.0, headers=None):
        self.base_url = base_url.rstrip("/")
        self._secrets = [s for s in secrets if s]
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers or {})

    def request(self, method, path, attach=True, **kwargs):
        response = self._client.request(method, path, **kwargs)
        if attach:
            self._attach(response)
        return Answer.of(response)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def _attach(self, response):
        request = response.request
        lines = [f"{request.method} {request.url}"]
        lines += [f"{k}: {REDACTED if k.lower() in SECRET_HEADERS else v}" for k, v in request.headers.items()]
        lines += ["", _body(request.content), "", f"→ {response.status_code} {response.reason_phrase}"]
        lines += [f"{k}: {REDACTED if k.lower() in SECRET_HEADERS else v}" for k, v in response.headers.items()]
        lines += ["", _body(response.content)]
        allure.attach(
            _redact("\n".join(lines), self._secrets),
            name=f"{request.method} {request.url.path} → {response.status_code}",
            attachment_type=allure.attachment_type.TEXT,
        )

    def close(self):
        self._client.close()
