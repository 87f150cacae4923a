"""An HTTP client whose every exchange shows up in the Allure report, with secrets redacted."""
import json

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


class Http:
    def __init__(self, base_url, secrets=(), timeout=10.0, headers=None):
        self.base_url = base_url.rstrip("/")
        self._secrets = [s for s in secrets if s]
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers or {})

    def request(self, method, path, attach=True, **kwargs):
        response = self._client.request(method, path, **kwargs)
        if attach:
            self._attach(response)
        return response

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
