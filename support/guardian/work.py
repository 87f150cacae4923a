"""One scenario's work with the guardian: ids in the run's namespace, each registered for cleanup
the moment it is handed out, events built from a scenario's words, and the facts the steps assert.

Consent is stored under the SHA-256 of the organisation, so the run's prefix cannot find it later:
every organisation is registered with the client (for the end-of-run sweep) and its own cleanup
when it is created, before anything is granted to it.
"""
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from support.guardian import environments
from support.guardian.resources import resource_names
from support.http import Answer

# A scenario's words for the fields the guardian names in its refusals.
FIELDS = {"the rule": "ruleId", "the timestamp": "timestamp", "the event id": "eventId", "the body": "body",
          "the reviewer": "reviewedBy"}
# Malformed events, in a scenario's words: what changes in an otherwise good event.
MALFORMED = {
    "no rule": {"ruleId": None},
    "a timestamp that is not a time": {"timestamp": "yesterday at noon"},
    "an id with path characters": {"eventId": "../../etc/passwd"},
    "a false positive without a reviewer": {"isFalsePositive": True},
}
NOT_JSON = "a body that is not JSON"
# How an event came to be reviewed, in a scenario's words (each followed by the reviewer's name).
REVIEWER = "the reviewer named after the words"
REVIEWS = {
    "arrived reviewed by": {"reviewedBy": REVIEWER},
    "arrived as a false positive from": {"isFalsePositive": True, "reviewedBy": REVIEWER},
    "marked a false positive by": {},
}
# What a scenario may change in a redaction, and the field that holds it.
REDACTION_PARTS = {"text": "value", "signature": "mac"}


def now():
    return datetime.now(timezone.utc)


def iso(moment):
    return moment.isoformat(timespec="milliseconds")


@dataclass
class Recorded:
    """An event the scenario recorded (or tried to), with the moment it asked."""

    event: dict
    answer: Answer
    at: datetime = field(default_factory=now)


class GuardianWork:
    def __init__(self, guardian, run, add_cleanup):
        self.guardian, self.run, self.add_cleanup = guardian, run, add_cleanup
        self.client, self.store = guardian.client, guardian.store

    # -- ids ---------------------------------------------------------------------------------------

    def rule(self, name=None):
        rule_id = name or self.run.name("rule")
        self.add_cleanup(lambda: self.store.delete_rule(rule_id))
        self.add_cleanup(lambda: self.store.delete_buckets(rule_id))
        return rule_id

    def organisation(self, name=None):
        org_id = name or self.run.name("org")
        self.guardian.organisations.add(org_id)
        self.add_cleanup(lambda: self.store.delete_consent(org_id))
        return org_id

    def repository(self):
        repo_id = self.run.name("repo")
        self.add_cleanup(lambda: self.store.delete_baseline(repo_id))
        return repo_id

    def own_environment(self, defect_words):
        """(project, env) of a guardian environment built in the run's namespace with the defects the
        words name; every resource is registered for tear-down as it is created."""
        defects = frozenset(environments.defect_id(words) for words in defect_words)
        project, env = environments.namespace_parts(self.run.prefix, self.guardian.project)
        environments.build(self.guardian.aws, resource_names(project, env), defects, self.add_cleanup)
        return project, env

    def colliding_pairs(self, separator):
        """Two (rule, organisation) pairs that join to the same text with `separator`, both namespaced."""
        base, middle, end = self.run.name("rule"), "mid", self.run.name("org")
        first = (f"{base}{separator}{middle}", end)
        second = (base, f"{middle}{separator}{end}")
        for rule_id, org_id in (first, second):
            self.rule(rule_id)
            self.organisation(org_id)
        return first, second

    # -- events ------------------------------------------------------------------------------------

    @staticmethod
    def event(rule_id, event_id, at=None, **changes):
        body = {"eventId": event_id, "ruleId": rule_id, "ruleVersion": "1.0.0", "findingId": f"{rule_id}-{event_id}",
                "outcome": "block", "isFalsePositive": False, "timestamp": iso(at or now()),
                "context": {"repository": "acme/api", "path": "src/app.py"}}
        body.update(changes)
        return {key: value for key, value in body.items() if value is not None}

    def record(self, rule_id, event_id, minutes_ago=0, **changes):
        body = self.event(rule_id, event_id, now() - timedelta(minutes=minutes_ago), **changes)
        return Recorded(body, self.client.record(body))

    def record_reviewed(self, rule_id, event_id, minutes_ago, review):
        """Records an event reviewed as `review` says ("none", "arrived reviewed by Bob", "marked a
        false positive by Alice"); a marking is a second call, as a reviewer makes it."""
        reviewer = None
        if review != "none":
            review, reviewer = review.rsplit(" ", 1)
            if review not in REVIEWS:
                raise KeyError(f"no review called {review!r}; known: none, {', '.join(f'{r} <name>' for r in REVIEWS)}")
        changes = {key: reviewer if value is REVIEWER else value for key, value in REVIEWS.get(review, {}).items()}
        self.record(rule_id, event_id, minutes_ago=minutes_ago, **changes).answer.ok(f"recording {event_id}")
        if review == "marked a false positive by":
            self.client.mark_false_positive(self.finding_of(rule_id, event_id), reviewer).ok(f"marking {event_id}")

    def record_malformed(self, rule_id, problem):
        if problem == NOT_JSON:
            return Recorded({}, self.client.record_raw(f'{{"ruleId": "{rule_id}", "eventId": "e1"'.encode()))
        if problem not in MALFORMED:
            raise KeyError(f"no malformed event called {problem!r}; known: {', '.join([*MALFORMED, NOT_JSON])}")
        body = self.event(rule_id, "e1", **MALFORMED[problem])
        return Recorded(body, self.client.record(body))

    def window_events(self, rule_id, count=None, minutes=None):
        since = iso(now() - timedelta(minutes=minutes)) if minutes is not None else None
        return self.client.window(rule_id, count=count, since=since).ok(f"the window of rule {rule_id}")

    def finding_of(self, rule_id, event_id):
        return f"{rule_id}-{event_id}"

    # -- redaction ---------------------------------------------------------------------------------

    @staticmethod
    def tampered(redaction, part):
        """The redaction with its text or its signature changed by one character."""
        field = REDACTION_PARTS[part]
        original = redaction[field]
        changed = original[:-1] + ("0" if original[-1] != "0" else "1")
        return {**redaction, field: changed}

    @staticmethod
    def secret_text(secret_count):
        """A text with `secret_count` API keys in it, the keys, and the pattern that finds them."""
        keys = [f"sk_live_{secrets.token_hex(8)}" for _ in range(secret_count)]
        text = " then ".join(f"deploy with key {key}" for key in keys)
        return text, keys, [{"regex": r"sk_live_[0-9a-f]{16}", "replacement": "[REDACTED]"}]
