"""The guardian's operations API (../shared/contracts/guardian.md) as the suite calls it.

Every call returns an `Answer` (status and body) so that a refusal is as easy to assert as a
success; the `*_ok` helpers raise with the answer as evidence when a success was needed to go on.
Exchanges are attached to the report, except inside parallel calls, which attach one summary.
"""
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from support import reporting
from support.http import Http


class GuardianError(AssertionError):
    """The guardian answered something a step needed to be a success."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: object

    @property
    def error(self):
        """(code, message) of a refusal, or None."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return self.body["error"].get("code"), self.body["error"].get("message", "")
        return None

    def ok(self, doing):
        if self.status >= 300:
            raise GuardianError(f"{doing}: answered {self.status} {json.dumps(self.body)[:500]}")
        return self.body


def _answer(response):
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return Answer(response.status_code, body)


class GuardianClient:
    def __init__(self, base_url, timeout=10.0):
        self.base_url = base_url.rstrip("/")
        self.http = Http(self.base_url, timeout=timeout)

    def _call(self, method, path, attach=True, **kwargs):
        return _answer(self.http.request(method, path, attach=attach, **kwargs))

    def health(self):
        return self._call("GET", "/healthz", attach=False)

    # -- false positives -----------------------------------------------------------------------------

    def record(self, event):
        return self._call("POST", "/fp-events", json=event)

    def record_raw(self, content):
        """A body sent as it is, for bodies that are not JSON."""
        return self._call("POST", "/fp-events", content=content, headers={"Content-Type": "application/json"})

    def window(self, rule_id, count=None, since=None):
        params = {key: value for key, value in (("count", count), ("since", since)) if value is not None}
        return self._call("GET", f"/rules/{rule_id}/window", params=params)

    def mark_false_positive(self, finding_id, reviewed_by):
        return self._call("POST", f"/findings/{finding_id}/false-positive", json={"reviewedBy": reviewed_by})

    def finding(self, finding_id, rule_id=None):
        return self._call("GET", f"/findings/{finding_id}", params={"ruleId": rule_id} if rule_id else {})

    # -- consent -----------------------------------------------------------------------------------

    def grant(self, org_id, scope, granted_by, expires_at):
        return self._call("PUT", f"/consent/{org_id}/{scope}", json={"grantedBy": granted_by, "expiresAt": expires_at})

    def revoke(self, org_id, scope):
        return self._call("DELETE", f"/consent/{org_id}/{scope}")

    def consent(self, org_id, scope):
        return self._call("GET", f"/consent/{org_id}/{scope}")

    # -- circuit breaker ---------------------------------------------------------------------------

    def increment(self, rule_id, org_id, attach=True):
        return self._call("POST", f"/circuit/{rule_id}/{org_id}/increments", attach=attach)

    def increments_at_once(self, rule_id, org_id, count):
        """`count` increments sent in parallel, each on its own thread, released together."""
        with ThreadPoolExecutor(count) as pool:
            answers = list(pool.map(lambda _: self.increment(rule_id, org_id, attach=False), range(count)))
        reporting.attach_json(f"{count} increments at once", {"answers": [a.__dict__ for a in answers]})
        return answers

    def circuit(self, rule_id, org_id, threshold):
        return self._call("GET", f"/circuit/{rule_id}/{org_id}", params={"threshold": threshold})

    # -- redaction ---------------------------------------------------------------------------------

    def redact(self, text, patterns, attach=True):
        return self._call("POST", "/redactions", attach=attach, json={"text": text, "patterns": patterns})

    def validate(self, redacted):
        return self._call("POST", "/redactions/validate", json=redacted)

    def rotate(self):
        return self._call("POST", "/nonce/rotations")

    # -- baselines ---------------------------------------------------------------------------------

    def store_baseline(self, repo_id, document):
        return self._call("PUT", f"/baselines/{repo_id}", json=document)

    def baseline(self, repo_id):
        return self._call("GET", f"/baselines/{repo_id}")

    def baseline_versions(self, repo_id):
        return self._call("GET", f"/baselines/{repo_id}/versions")

    def close(self):
        self.http.close()
