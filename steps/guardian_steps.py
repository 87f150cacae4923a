"""Steps of the guardian: parse, one call to support.guardian, one PyHamcrest assertion with evidence."""
import json
import time
from datetime import datetime, timedelta

from behave import given, then, when
from hamcrest import (
    all_of, assert_that, contains_exactly, equal_to, greater_than, greater_than_or_equal_to, has_entries, has_key,
    has_length, is_in, is_not, less_than_or_equal_to, matches_regexp, not_none, only_contains,
)

from support import reporting
from support.guardian.resources import LABELS
from support.guardian.speed import Speed, note_smoke, throughput_budget
from support.guardian.store import hashed
from support.guardian.work import FIELDS, GuardianWork, iso, now
from support.perf.host import host_load

# A review recorded "just now" is at most this old when the step reads it: one HTTP round trip and
# a margin for a loaded machine.
JUST_NOW_S = 60
HOUR_S = 3600


def _work(context):
    if getattr(context, "guardian_work", None) is None:
        context.guardian_work = GuardianWork(context.guardian, context.run, context.add_cleanup)
    return context.guardian_work


def _ids(text):
    return [part.strip() for part in text.split(",")]


def _minutes(text):
    return [int(part) for part in text.replace(" and ", ", ").split(",")]


def _shown(value):
    return json.dumps(value, indent=2, default=str)


# -- Provisioning -------------------------------------------------------------------------------------


@when("the operator checks the guardian's infrastructure")
def step_check(context):
    context.check_differences, context.check_report = context.guardian.check()


@then("the check finds the {resource} as agreed")
def step_as_agreed(context, resource):
    key = {label: key for key, label in LABELS.items()}[resource]
    own = [str(d) for d in context.check_differences if d.resource == key]
    assert_that(own, equal_to([]), "\n".join(context.check_report))


@given("an environment of the run's own where:")
def step_own_environment(context):
    context.own_project, context.own_env = _work(context).own_environment([row["defect"] for row in context.table])
    context.own_before = context.guardian.snapshot(context.own_project, context.own_env)


@when("the operator checks that environment's infrastructure")
def step_check_own(context):
    context.check_differences, context.check_report = context.guardian.check(context.own_project, context.own_env)


@then("the check reports exactly these differences:")
def step_exact_differences(context):
    expected = [(row["resource"], row["aspect"]) for row in context.table]
    found = [(LABELS[d.resource], d.aspect) for d in context.check_differences]
    assert_that(found, equal_to(expected), "\n".join(context.check_report))


@then("the check changed nothing in that environment")
def step_unchanged(context):
    after = context.guardian.snapshot(context.own_project, context.own_env)
    assert_that(after, equal_to(context.own_before), "the environment before the check and after it")


# -- False positives ----------------------------------------------------------------------------------


@given("a rule of the run's own")
def step_rule(context):
    context.rule_id = _work(context).rule()


@when('the rule\'s event "{event_id}" is recorded with outcome "{outcome}"')
def step_record(context, event_id, outcome):
    context.recorded = _work(context).record(context.rule_id, event_id, outcome=outcome)
    context.recorded.answer.ok(f"recording event {event_id}")


@when('the same event is recorded again with outcome "{outcome}"')
def step_record_again(context, outcome):
    event = {**context.recorded.event, "outcome": outcome}
    context.repeat = context.guardian.client.record(event)


@when('the same event is recorded again {minutes:d} minutes later with outcome "{outcome}"')
def step_record_again_later(context, minutes, outcome):
    later = iso(now() + timedelta(minutes=minutes))
    context.repeat = context.guardian.client.record({**context.recorded.event, "outcome": outcome, "timestamp": later})


@then("the repeat is refused because the event is already recorded")
def step_repeat_refused(context):
    assert_that((context.repeat.status, context.repeat.error), equal_to((409, "conflict")), str(context.repeat))


@then('the rule holds exactly one event "{event_id}", with outcome "{outcome}"')
def step_one_event(context, event_id, outcome):
    events = _work(context).window_events(context.rule_id, count=10)["events"]
    assert_that([(e["eventId"], e["outcome"]) for e in events], equal_to([(event_id, outcome)]), _shown(events))


@given('the rule\'s events "{event_ids}" were recorded {minutes} minutes ago')
def step_events_ago(context, event_ids, minutes):
    for event_id, ago in zip(_ids(event_ids), _minutes(minutes), strict=True):
        _work(context).record(context.rule_id, event_id, minutes_ago=ago).answer.ok(f"recording {event_id}")


@given("the rule has these events:")
def step_events_table(context):
    for row in context.table:
        _work(context).record_reviewed(context.rule_id, row["event"], int(row["minutes ago"]), row["review"])


@when("the rule's latest {count:d} events are read")
def step_latest(context, count):
    context.window = _work(context).window_events(context.rule_id, count=count)


@when("the rule's events of the last {minutes:d} minutes are read")
def step_since(context, minutes):
    context.window = _work(context).window_events(context.rule_id, minutes=minutes)


@then('the events are "{event_ids}", in that order')
def step_order(context, event_ids):
    found = [event["eventId"] for event in context.window["events"]]
    assert_that(found, contains_exactly(*_ids(event_ids)), _shown(context.window["events"]))


@when('"{reviewer}" marks the finding of event "{event_id}" as a false positive')
def step_mark(context, reviewer, event_id):
    work = _work(context)
    context.marked = work.client.mark_false_positive(work.finding_of(context.rule_id, event_id), reviewer).ok(
        f"marking the finding of {event_id}")


@then('the finding of event "{event_id}" is {verdict}')
def step_finding(context, event_id, verdict):
    work = _work(context)
    finding = work.client.finding(work.finding_of(context.rule_id, event_id), context.rule_id).ok("reading the finding")
    expected = {"a false positive": True, "not a false positive": False}[verdict]
    assert_that(finding, has_entries(isFalsePositive=expected), _shown(finding))


@then('the event "{event_id}" records that "{reviewer}" reviewed it just now')
def step_reviewed(context, event_id, reviewer):
    events = _work(context).window_events(context.rule_id, count=10)["events"]
    event = next((e for e in events if e["eventId"] == event_id), None)
    assert_that(event, has_entries(reviewedBy=reviewer, reviewedAt=not_none()), _shown(events))
    age = (now() - datetime.fromisoformat(event["reviewedAt"])).total_seconds()
    assert_that(age, all_of(greater_than(-JUST_NOW_S), less_than_or_equal_to(JUST_NOW_S)),
                f"reviewed at {event['reviewedAt']}")


@then("the window counts {total:d} events: {fps:d} false positives, {tps:d} true positive and {pending:d} pending")
def step_statistics(context, total, fps, tps, pending):
    statistics = context.window["statistics"]
    expected = {"total": total, "falsePositives": fps, "truePositives": tps, "pending": pending}
    assert_that({key: statistics.get(key) for key in expected}, equal_to(expected), _shown(context.window))


@then("the observed false-positive rate is {fps:d} of {reviewed:d} reviewed events")
def step_rate(context, fps, reviewed):
    assert_that(context.window["statistics"]["observedFPR"], equal_to(fps / reviewed), _shown(context.window))


@then("the stored event expires after the retention period, by the attribute the table expires items by")
def step_expiry(context):
    guardian = context.guardian
    attribute = guardian.store.ttl_attribute("fp_events")
    item = guardian.store.event_item(context.rule_id, context.recorded.event["eventId"])
    expected = context.recorded.at.timestamp() + guardian.retention_days * 86400
    found = item.get(attribute) if item and attribute else None
    assert_that(float(found) if found is not None else None,
                all_of(not_none(), greater_than(expected - JUST_NOW_S), less_than_or_equal_to(expected + JUST_NOW_S)),
                f"the table expires items by {attribute!r}; the stored event is {_shown(item)}")


# -- Bad input ----------------------------------------------------------------------------------------


@when("the rule's event is sent with {problem}")
def step_malformed(context, problem):
    context.recorded = _work(context).record_malformed(context.rule_id, problem)


@then("the event is refused with a reason that names {field}")
def step_refused_naming(context, field):
    answer = context.recorded.answer
    assert_that((answer.status, answer.reason), contains_exactly(400, matches_regexp(rf"^{FIELDS[field]}\b")),
                str(answer))


@then("nothing is stored for the rule")
def step_nothing_stored(context):
    assert_that(context.guardian.store.rule_items(context.rule_id), equal_to([]), f"stored under {context.rule_id}")


# -- Consent ------------------------------------------------------------------------------------------


UNTIL = {"tomorrow": timedelta(days=1), "an hour ago": timedelta(hours=-1)}
REASONS = {"valid because it was granted": (True, "granted"), "not valid because none was given": (False, "none"),
           "not valid because it was revoked": (False, "revoked"), "not valid because it expired": (False, "expired")}


@given("an organisation of the run's own")
def step_organisation(context):
    context.org_id = _work(context).organisation()


@given("the organisation granted consent for the {which} scope until {until}")
@when("the organisation grants consent for the {which} scope until {until}")
def step_grant(context, which, until):
    expires = iso(now() + UNTIL[until])
    context.guardian.client.grant(context.org_id, context.guardian.scope(which), "compliance@example.test",
                                  expires).ok("granting consent")


@when("the organisation revokes its consent for the {which} scope")
def step_revoke(context, which):
    context.guardian.client.revoke(context.org_id, context.guardian.scope(which)).ok("revoking consent")


@then("consent for the {which} scope is {verdict}")
def step_consent(context, which, verdict):
    valid, reason = REASONS[verdict]
    answer = context.guardian.client.consent(context.org_id, context.guardian.scope(which)).ok("checking consent")
    assert_that(answer, equal_to({"valid": valid, "reason": reason}))


@then("the stored consent is keyed by the SHA-256 of the organisation's id")
def step_hashed(context):
    digest = hashed(context.org_id)
    item = context.guardian.store.consent_item(digest)
    assert_that(item and item.get("orgId"), equal_to(digest),
                f"no consent item under sha256({context.org_id!r}) = {digest}")


@then("the organisation's id appears nowhere in the stored consent")
def step_not_in_clear(context):
    stored = [context.guardian.store.consent_item(key) for key in (hashed(context.org_id), context.org_id)]
    assert_that(context.org_id in json.dumps(stored, default=str), equal_to(False), _shown(stored))


# -- Circuit breaker ----------------------------------------------------------------------------------


@given("a rule and two organisations of the run's own")
def step_rule_and_orgs(context):
    work = _work(context)
    context.rule_id = work.rule()
    context.orgs = {"first": work.organisation(), "second": work.organisation()}


@when("the rule is triggered {times:d} times at the same moment for the {which} organisation")
def step_parallel(context, times, which):
    answers = context.guardian.client.increments_at_once(context.rule_id, context.orgs[which], times)
    assert_that([a.status for a in answers], equal_to([200] * times), _shown([a.body for a in answers]))


@when("the rule is triggered as often as the breaker threshold for the {which} organisation")
def step_to_threshold(context, which):
    context.guardian.client.increments_at_once(context.rule_id, context.orgs[which], context.guardian.threshold)


@then("the rule's count for the {which} organisation is {count:d}")
def step_count(context, which, count):
    state = context.guardian.client.circuit(context.rule_id, context.orgs[which], context.guardian.threshold)
    assert_that(state.ok("reading the breaker")["count"], equal_to(count), _shown(state.body))


def _assert_stopped(context, rule_id, org_id, stopped):
    state = context.guardian.client.circuit(rule_id, org_id, context.guardian.threshold).ok("reading the breaker")
    assert_that(state["broken"], equal_to(stopped),
                f"rule {rule_id} for {org_id} at threshold {context.guardian.threshold}: {_shown(state)}")


@then("the rule is {verdict} for the {which} organisation")
def step_stopped(context, verdict, which):
    _assert_stopped(context, context.rule_id, context.orgs[which], verdict == "stopped")


@then("another rule is not stopped for the {which} organisation")
def step_other_rule(context, which):
    _assert_stopped(context, _work(context).rule(), context.orgs[which], False)


@given("two rule and organisation pairs whose names read the same when joined by the bucket key's separator")
def step_colliding(context):
    context.pairs = _work(context).colliding_pairs(context.guardian.separator)


@when("the first pair's rule is triggered as often as the breaker threshold")
def step_first_pair(context):
    rule_id, org_id = context.pairs[0]
    context.guardian.client.increments_at_once(rule_id, org_id, context.guardian.threshold)


@then("the rule of the {which} pair is {verdict} for its organisation")
def step_pair_stopped(context, which, verdict):
    rule_id, org_id = context.pairs[{"first": 0, "second": 1}[which]]
    _assert_stopped(context, rule_id, org_id, verdict == "stopped")


@then("the count is kept in one bucket that expires within two hours, by the attribute the table expires items by")
def step_bucket(context):
    store = context.guardian.store
    attribute = store.ttl_attribute("block_counter")
    buckets = store.breaker_buckets(context.rule_id, context.orgs["first"])
    assert_that(buckets, has_length(1), _shown(buckets))
    expires = buckets[0].get(attribute) if attribute else None
    assert_that(float(expires) if expires is not None else None,
                all_of(not_none(), greater_than(time.time()), less_than_or_equal_to(time.time() + 2 * HOUR_S)),
                f"the table expires items by {attribute!r}; the bucket is {_shown(buckets[0])}")


# -- Redaction ----------------------------------------------------------------------------------------


def _redact(context, secret_count):
    context.secret_text, context.secrets, patterns = _work(context).secret_text(secret_count)
    context.patterns = patterns
    context.redaction = context.guardian.client.redact(context.secret_text, patterns).ok("redacting")


@when("a text with {count:d} secrets is redacted")
@given("a text with {count:d} secrets was redacted")
def step_redact(context, count):
    _redact(context, count)


@then("none of the secrets is left in the redacted text and {count:d} replacements are reported")
def step_replaced(context, count):
    left = [secret for secret in context.secrets if secret in context.redaction["value"]]
    assert_that((left, context.redaction["redactionHits"]), equal_to(([], count)), _shown(context.redaction))


@then("the redacted text carries the brand and a 64-character signature with the nonce version")
def step_signed(context):
    assert_that(context.redaction, has_entries(brand=context.guardian.brand, mac=matches_regexp(r"^[0-9a-f]{64}$"),
                                               nonceVersion=greater_than(0)))


@then("the redaction is valid")
def step_valid(context):
    assert_that(context.guardian.client.validate(context.redaction).ok("validating"), equal_to({"valid": True}))


@when("the redaction's {part} is changed")
def step_tamper(context, part):
    context.redaction = _work(context).tampered(context.redaction, part)


@then("the redaction is not valid")
def step_not_valid(context):
    assert_that(context.guardian.client.validate(context.redaction).ok("validating"), equal_to({"valid": False}),
                _shown(context.redaction))


@when("the redaction nonce is rotated")
def step_rotate(context):
    context.nonces_before = context.guardian.store.nonce_versions()
    context.rotated = context.guardian.client.rotate().ok("rotating the nonce")


@then("a new nonce version exists and the previous one is kept unchanged")
def step_nonce_versions(context):
    prefix = context.guardian.store.nonce_prefix
    before = context.nonces_before
    assert_that(before, has_key(f"{prefix}{context.redaction['nonceVersion']}"), "the nonce that signed the redaction")
    after = context.guardian.store.nonce_versions()
    assert_that(after, equal_to({**before, f"{prefix}{context.rotated['version']}": 1}),
                f"nonce parameters and their versions before the rotation: {_shown(before)}")


@then("a new redaction uses the new nonce version")
def step_new_version(context):
    fresh = context.guardian.client.redact(context.secret_text, context.patterns).ok("redacting after the rotation")
    assert_that(fresh["nonceVersion"], all_of(equal_to(context.rotated["version"]),
                                              is_not(equal_to(context.redaction["nonceVersion"]))), _shown(fresh))


@then("the text redacted before the rotation is still valid")
def step_still_valid(context):
    assert_that(context.guardian.client.validate(context.redaction).ok("validating"), equal_to({"valid": True}),
                _shown(context.redaction))


# -- Baselines ----------------------------------------------------------------------------------------


@given("a repository of the run's own")
def step_repository(context):
    context.repo_id = _work(context).repository()


@when("the repository's baseline is stored with {rules:d} rules")
@when("the repository's baseline is stored again with {rules:d} rules")
def step_store_baseline(context, rules):
    document = {"repository": context.repo_id, "rules": [f"rule-{n}" for n in range(rules)]}
    stored = context.guardian.client.store_baseline(context.repo_id, document).ok("storing the baseline")
    context.baseline_versions = getattr(context, "baseline_versions", []) + [stored["versionId"]]


@then("the repository's baseline has {rules:d} rules")
def step_latest_baseline(context, rules):
    latest = context.guardian.client.baseline(context.repo_id).ok("reading the baseline")
    assert_that(latest["rules"], has_length(rules), _shown(latest))


@then("the repository has {count:d} baseline versions, newest first")
def step_versions(context, count):
    versions = context.guardian.client.baseline_versions(context.repo_id).ok("listing versions")["versions"]
    assert_that([v["versionId"] for v in versions], equal_to(list(reversed(context.baseline_versions))),
                _shown(versions))
    assert_that(versions, has_length(count))


@when("the repository's baseline is read")
def step_read_baseline(context):
    context.baseline_answer = context.guardian.client.baseline(context.repo_id)


@then("the repository has no baseline")
def step_no_baseline(context):
    answer = context.baseline_answer
    assert_that((answer.status, answer.error), equal_to((404, "not_found")), str(answer))


@then("every stored version of the repository's baseline is encrypted")
def step_encrypted(context):
    found = context.guardian.store.baseline_encryption(context.repo_id)
    assert_that(sorted(found), equal_to(sorted(context.baseline_versions)), _shown(found))
    assert_that(list(found.values()), only_contains(is_in(("aws:kms", "AES256"))), _shown(found))


# -- Speed --------------------------------------------------------------------------------------------


def _speed(context):
    if getattr(context, "guardian_speed", None) is None:
        context.guardian_speed = Speed(context.guardian, _work(context), context.rule_id,
                                       host_load(context.profile, context.guardian.section["performance"].get("host")))
        note_smoke(context.guardian.section["performance"]["smoke_only"])
    return context.guardian_speed


@when("the guardian's time for {operation} is measured")
def step_measure(context, operation):
    context.measured = _speed(context).measure(operation, context.guardian.section["performance"]["samples"])


def _time_within(context, what, seconds, budget):
    """A measured time against its budget; over it on a machine busy with other work, the run is invalid."""
    limit = context.budgets[budget]
    reporting.note(f"{context.measured.operation}: {what} {seconds * 1000:.1f} ms; budget {limit}")
    invalid = context.measured.invalid(what, seconds, limit.limit)
    if invalid:
        return reporting.skip_as_invalid(context.scenario, invalid)
    assert_that(seconds, less_than_or_equal_to(limit.limit), _shown(context.measured.trend.summary()))


@then("its mean time is within the {budget} budget")
def step_mean(context, budget):
    _time_within(context, "mean", context.measured.mean_s, budget)


@then("its 95th percentile is within the {budget} budget")
def step_p95(context, budget):
    _time_within(context, "p95", context.measured.p95_s, budget)


@when("events are offered steadily at the {budget} rate")
def step_sustained(context, budget):
    context.throughput_budget = throughput_budget(context.budgets, f"{budget} rate")
    duration = context.guardian.section["performance"]["sustained_s"]
    context.throughput, context.load = _speed(context).sustained(context.throughput_budget.limit, duration)


@when("a burst of events is offered at once")
def step_burst(context):
    context.throughput, context.load = _speed(context).burst(context.guardian.section["performance"]["burst_size"])


@then("every offered event is recorded")
def step_all_recorded(context):
    assert_that(dict(context.load.answers), equal_to({201: context.load.plan.count}), _shown(context.load.summary()))


@then("the guardian records at least the {budget} rate")
def step_rate_budget(context, budget):
    limit = throughput_budget(context.budgets, f"{budget} rate")
    reporting.note(f"recorded {context.throughput:.1f} events/s; budget {limit}")
    assert_that(context.throughput, greater_than_or_equal_to(limit.limit), _shown(context.load.summary()))
