"""The guardian's operations API (../shared/contracts/guardian.md) as the suite calls it.

Every call returns an `Answer` (the suite's one answer type, with the contract's error code and an
`ok` that raises with the answer as evidence when a step needs a success to go on), so a refusal is
as easy to assert as a success. Exchanges are attached to the report, except inside parallel calls,
which attach one summary.
"""
from concurrent.futures import ThreadPoolExecutor

from support import reporting
from support.http import Answer as HttpAnswer
from support.http import Http


class GuardianError(AssertionError):
    """The guardian answered something a step needed to be a success."""


class Answer(HttpAnswer):
    @property
    def error(self):
        """The contract's error code (`conflict`, `not_found`, `invalid_request`…), or None."""
        found = self.get("error")
        return found.get("code") if isinstance(found, dict) else None

    def ok(self, doing):
        if not self.accepted:
            raise GuardianError(f"{doing}: answered {self}")
        return self.body


class GuardianClient:
    def __init__(self, base_url, timeout=10.0):
        self.base_url = base_url.rstrip("/")
        self.http = Http(self.base_url, timeout=timeout)

    def _call(self, method, path, attach=True, **kwargs):
        answer = self.http.request(method, path, attach=attach, **kwargs)
        return Answer(answer.status, answer.body, answer.headers)
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
        reporting.attach_json(f"{count} increments at once", {"answers": [str(a) for a in answers]})
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
