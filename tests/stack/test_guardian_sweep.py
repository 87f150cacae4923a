"""What a killed run leaves in the guardian is found by the run's prefix (and the organisations it
granted consent to) and removed, counted exactly; another run's items stay; a second sweep finds nothing."""
from datetime import datetime, timedelta, timezone

import pytest

from support.guardian import AREA, environments
from support.guardian.resources import resource_names
from support.guardian.target import Guardian as GuardianTarget
from support.guardian.work import GuardianWork
from support.run import Run
from stack.settings import aws_client
from tests.stack.guardian_processes import Guardian


@pytest.fixture(scope="module")
def guardian(scratch, aws):
    deployment = Guardian(scratch, aws)
    yield deployment
    deployment.stop()


def target(guardian, aws):
    section = {"base_url": guardian.url, "project": "mirror-dissonance", "env": guardian.env}
    clients = {}
    return GuardianTarget(section, lambda s: clients.setdefault(s, aws_client({"endpoints": {"aws": aws}}, s)), "t")


def test_a_killed_runs_leftovers_are_swept_exactly(guardian, aws):
    run, forgotten = Run(), []
    clients = {"guardian": target(guardian, aws)}
    work = GuardianWork(clients["guardian"], run, forgotten.append)
    rule, org, repo = work.rule(), work.organisation(), work.repository()
    for event_id in ("e1", "e2"):
        work.record(rule, event_id).answer.ok("recording")
    clients["guardian"].client.increments_at_once(rule, org, 3)
    later = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    clients["guardian"].client.grant(org, "analytics", "ann", later).ok("granting")
    for rules in (1, 2):
        clients["guardian"].client.store_baseline(repo, {"rules": rules}).ok("storing")
    other = GuardianWork(clients["guardian"], Run(), forgotten.append)
    other_rule = other.rule()
    other.record(other_rule, "kept").answer.ok("recording another run's event")
    project, env = environments.namespace_parts(run.prefix, "mirror-dissonance")
    environments.build(clients["guardian"].aws, resource_names(project, env), frozenset(), forgotten.append)

    removed = AREA.sweep(clients, run.prefix)

    assert removed == {"event items": 4, "breaker buckets": 1, "consent items": 1, "baseline versions": 2,
                       "own tables": 3, "own parameters": 1, "own buckets": 1}
    assert set(AREA.sweep(clients, run.prefix).values()) == {0}
    assert clients["guardian"].store.event_item(other_rule, "kept") is not None
    clients["guardian"].store.delete_rule(other_rule)
    clients["guardian"].close()
