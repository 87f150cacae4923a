"""Steps of the gateway area: thin wrappers over support.gateway (its callers, traces and books)."""
import re

from behave import given, then, when
from hamcrest import (
    all_of, assert_that, equal_to, greater_than, greater_than_or_equal_to, has_entries, has_item, has_length, is_in,
    less_than_or_equal_to, matches_regexp, not_none, only_contains, starts_with,
)

from support.gateway.gateway import REASONS, STAGE_ORDER, TRACE_REFERENCE, refusal_of, shown
from support.gateway.metrics import rise

GRANULARITY = {"sentence by sentence": "sentence", "token by token": "token"}
EMAIL, PHONE = "jane.doe@example.org", "+44 20 7946 0958"


def _trace(context):
    assert_that(getattr(context, "explained", None), not_none(), "no explained answer was asked for yet")
    assert_that(context.explained.trace_id, not_none(),
                f"the explained answer carries no trace reference: {shown(context.explained.answer)}")
    return context.explained


def _ask(context, caller, granularity="sentence", message=None):
    context.explained = context.gateway.explained(caller, granularity, **({"message": message} if message else {}))
    context.add_cleanup(context.gateway.cancel_if_running, context.explained.trace_id)
    return context.explained


# -- Givens ----------------------------------------------------------------------------------------


@given("{caller} has asked for an answer explained {how}")
def step_has_asked(context, caller, how):
    _ask(context, caller, GRANULARITY[how])


@given("{caller} has an explained answer whose trace has completed")
def step_has_completed(context, caller):
    done = _ask(context, caller)
    final, _ = context.gateway.follow(caller, done.trace_id, context.budgets["trace_complete"])
    assert_that(final["state"], equal_to("complete"), f"trace {done.trace_id} ended {final}")


@given("the trace time to live fits within the trace expiry budget")
def step_ttl_fits(context):
    ttl, budget = context.gateway.section["trace_ttl_s"], context.budgets["trace_expiry"]
    if ttl > budget.limit:
        context.scenario.skip(f"the gateway keeps traces for {ttl:g} s, longer than the {budget}")


@given("{caller} has been quiet long enough for its whole burst to be available")
def step_rested(context, caller):
    context.gateway.rested(caller, context.budgets["rate_limit_wait"])


@given("the attribution stage is failing")
def step_attribution_failing(context):
    context.gateway.control.set_failing(True)
    context.add_cleanup(context.gateway.control.set_failing, False)


@given("the operations the gateway publishes, except its public health, metrics and description")
def step_published(context):
    context.operations = context.gateway.published_operations()
    if context.operations is None:
        context.scenario.skip("the gateway publishes no OpenAPI document")
    assert_that(context.operations, has_length(greater_than(0)), "the gateway's OpenAPI document lists no operation")


# -- Whens -----------------------------------------------------------------------------------------


@when("{caller} asks for an explained answer")
def step_asks(context, caller):
    if not context.gateway.has_role(caller):
        context.scenario.skip(f"the profile has no token for {caller}")
    context.before = context.gateway.reading()
    context.attempt = context.gateway.ask(caller)
    context.after = context.gateway.reading()


@when("{caller} asks for an answer explained {how}")
def step_asks_explained(context, caller, how):
    context.explained = context.gateway.ask(caller, granularity=GRANULARITY[how])
    if context.explained.trace_id:
        context.add_cleanup(context.gateway.cancel_if_running, context.explained.trace_id)


@when("{caller} follows the trace's live stream")
def step_follows(context, caller):
    context.final, context.events = context.gateway.follow(caller, _trace(context).trace_id,
                                                           context.budgets["trace_complete"])


@when("{caller} registers a webhook with a secret for the trace")
def step_registers(context, caller):
    context.webhook_secret = f"secret-{context.run.name('webhook')}"
    context.webhook_path = "/" + context.run.name("hook")
    context.webhook = context.gateway.subscribe(caller, _trace(context).trace_id, context.webhook_path,
                                                context.webhook_secret)


@when("{caller} asks for an answer to be streamed")
def step_streamed(context, caller):
    context.stream_status, context.events = context.gateway.streamed_answer(caller,
                                                                           context.budgets["trace_complete"].limit)


@when("{intruder} tries to read, follow, subscribe to and cancel {owner}'s trace")
def step_intrudes(context, intruder, owner):
    context.audit_mark = context.gateway.audit_mark() if context.gateway.audit else None
    context.intrusions = context.gateway.intrude(intruder, _trace(context).trace_id, context.budgets["trace_complete"])


@when("{caller} asks for a burst of explained answers beyond what the queue holds")
def step_burst(context, caller):
    context.before = context.gateway.reading()
    context.burst = context.gateway.burst(caller, context.gateway.section["burst"]["beyond_queue"])
    context.after = context.gateway.reading()


@when("{caller} reads faster than its read rate allows")
def step_reads_fast(context, caller):
    burst = context.gateway.section["burst"]["read"]
    context.reads_sent, context.refused = context.gateway.read_until_refused(caller, 1, limit=4 * burst)
    # Three reads at once: a shared bucket refilling at its rate could let one through, never three.
    context.other_reads = [context.gateway.status("tenant A", "trc_000000000000", patient=False)
                           for _ in range(3)]


@when("the attribution stage is restored")
def step_restored(context):
    context.gateway.control.set_failing(False)


@when("{caller} cancels the trace")
def step_cancels(context, caller):
    context.cancellation = context.gateway.cancel(caller, _trace(context).trace_id)


@when("the trace's time to live passes")
def step_ttl_passes(context):
    """Nothing to do: the next step waits, within the expiry budget, for the graph to be gone."""


@when("tenant A sends {chats:d} chats, {denied:d} chats with its read-only token and reads until refused "
      "{refused:d} times")
@when("tenant A sends {chats:d} chats, {denied:d} chats with its read-only token and reads until refused twice")
def step_books(context, chats, denied, refused=2):
    context.books = context.gateway.known_requests("tenant A", chats, denied, refused)


@when("tenant A asks for an explained answer to a message with an e-mail address and a phone number")
def step_pii(context):
    context.audit_mark = context.gateway.audit_mark()
    _ask(context, "tenant A", message=f"Please write to {EMAIL} or call {PHONE} about my order.")


@when("tenant A's read-only user tries to cancel the trace")
def step_read_only_cancel(context):
    context.cancellation = context.gateway.cancel("tenant A's read-only user", _trace(context).trace_id)


@when("each is called without credentials, then with credentials and a malformed request")
def step_sweep(context):
    context.sweep = context.gateway.sweep_operations(context.operations)


# -- Thens: refusals ---------------------------------------------------------------------------------


@then("the gateway refuses the request because {reason}")
def step_refused(context, reason):
    status, code, message = REASONS[reason]
    answer = context.attempt.answer
    got = refusal_of(answer)
    assert_that(got[0], equal_to(status), shown(answer))
    if code:
        assert_that(got[1], equal_to(code), shown(answer))
    if message:
        assert_that(got[2] or "", starts_with(message), shown(answer))
    if status == 401:
        assert_that(answer.headers.get("www-authenticate", ""), starts_with("Bearer"), shown(answer))


@then("no answer or trace was created")
def step_nothing_created(context):
    answer = context.attempt.answer
    assert_that(answer.headers.get("x-trace-id"), equal_to(None), f"a trace reference came back: {shown(answer)}")
    created = {name: rise(context.before, context.after, name, **labels) for name, labels in
               (("chat_requests_total", {}), ("traces_total", {"state": "queued"}))}
    assert_that(created, equal_to({"chat_requests_total": 0, "traces_total": 0}),
                "the gateway counted chats or traces for a refused request")


@then("tenant A's read-only user can read the trace but cannot cancel it")
def step_read_only(context):
    trace_id = _trace(context).trace_id
    read = context.gateway.status("tenant A's read-only user", trace_id)
    cancel = context.gateway.cancel("tenant A's read-only user", trace_id)
    assert_that(read.status, equal_to(200), shown(read))
    assert_that(refusal_of(cancel)[:2], equal_to((403, "missing_scope")), shown(cancel))


@then("tenant A's write-only user cannot read the trace")
def step_write_only(context):
    read = context.gateway.status("tenant A's write-only user", _trace(context).trace_id)
    assert_that(refusal_of(read)[:2], equal_to((403, "missing_scope")), shown(read))


# -- Thens: traces -----------------------------------------------------------------------------------


@then("the answer arrives with a trace reference the gateway knows")
def step_reference(context):
    done = context.explained
    assert_that(context.gateway.answer_text(done), all_of(not_none(), has_length(greater_than(0))), shown(done.answer))
    assert_that(done.trace_id or "", matches_regexp(TRACE_REFERENCE.pattern),
                f"no usable trace reference came back: {shown(done.answer)}; headers {dict(done.answer.headers)}")
    status = context.gateway.status(done.caller, done.trace_id)
    assert_that(status.status, equal_to(200), shown(status))
    assert_that(status.body, has_entries(trace_id=done.trace_id, granularity=done.granularity,
                                           state=is_in(("queued", "running", "complete"))), shown(status))


@then("the trace completes within the {budget} budget")
@then("tenant A's trace still completes within the {budget} budget")
def step_completes(context, budget):
    done = _trace(context)
    final, _ = context.gateway.follow(done.caller, done.trace_id, context.budgets[budget])
    assert_that(final, has_entries(state="complete", progress=1), f"trace {done.trace_id} ended {final}")


@then("the trace fails with a reason within the {budget} budget")
def step_fails(context, budget):
    done = _trace(context)
    final, _ = context.gateway.follow(done.caller, done.trace_id, context.budgets[budget])
    assert_that(final["state"], equal_to("failed"), f"trace {done.trace_id} ended {final}")
    assert_that(final.get("error") or {}, has_entries(message=has_length(greater_than(0))),
                f"trace {done.trace_id} failed without a reason: {final}")


@then("the trace's graph is a valid hypergraph explained {how}")
def step_valid_graph(context, how):
    done = _trace(context)
    problems = context.gateway.graph_problems(done.caller, done.trace_id, GRANULARITY[how])
    assert_that(problems, equal_to([]), f"the graph of trace {done.trace_id} is not a valid hif-1 hypergraph")


@then("the stream announces progress through the stages in order")
def step_progress(context):
    updates = [e.data for e in context.events if e.name == "status_update" and isinstance(e.data, dict)]
    stages = [u.get("stage") for u in updates]
    progress = [u.get("progress") for u in updates]
    assert_that(len(set(stages) - {"queued", "complete"}), greater_than_or_equal_to(2),
                f"the stream showed too few stages of a token-level trace: {stages}")
    assert_that(stages, equal_to(sorted(stages, key=lambda s: STAGE_ORDER.index(s) if s in STAGE_ORDER else 99)),
                f"stages out of order: {stages}")
    assert_that(progress, equal_to(sorted(progress)), f"progress went backwards: {progress}")


@then("the stream ends by announcing the completion")
def step_stream_complete(context):
    last = context.events[-1] if context.events else None
    assert_that(str(last.name) if last else None, equal_to("complete"),
                f"the stream's events: {[str(e) for e in context.events]}")
    assert_that(last.data, has_entries(trace_id=_trace(context).trace_id, state="complete"), str(last))


@then("the webhook receives the trace's completion within the {budget} budget")
def step_webhook(context, budget):
    found = context.gateway.deliveries(context.webhook_path, context.budgets[budget])
    context.delivery = found[0]
    body = context.gateway.delivery_body(context.delivery)
    assert_that(body, has_entries(trace_id=_trace(context).trace_id, state="complete"), str(context.delivery))


@then("the webhook's signature verifies with the secret")
def step_signature(context):
    ok, header = context.gateway.signature_verifies(context.delivery, context.webhook_secret)
    assert_that(ok, equal_to(True), f"signature header {header!r} is not the HMAC-SHA256 of the body under the secret")


@then("the answer arrives in several pieces of text and ends properly")
def step_pieces(context):
    assert_that(context.stream_status, equal_to(200), f"events: {[str(e) for e in context.events]}")
    pieces = context.gateway.pieces(context.events)
    assert_that(context.events[-1].data if context.events else None, equal_to("[DONE]"),
                f"the stream did not end with [DONE]: {[str(e) for e in context.events[-3:]]}")
    assert_that(pieces, has_length(greater_than(1)), "the answer came in fewer than two pieces of text")
    assert_that("".join(pieces).strip(), has_length(greater_than(0)), "the streamed answer was empty")


# -- Thens: isolation --------------------------------------------------------------------------------


@then("every attempt is refused as if the trace did not exist")
def step_refused_everywhere(context):
    allowed = {what: status for what, (status, _) in context.intrusions.items() if status not in (403, 404)}
    assert_that(allowed, equal_to({}), f"another tenant was not refused: {context.intrusions}")


@then("the audit log shows every attempt as a denial for tenant B on tenant A's trace")
def step_audited_denials(context):
    trace_id = _trace(context).trace_id
    lines = [line for line in context.gateway.audit_since(context.audit_mark) if line.get("trace_id") == trace_id]
    denials = [line for line in lines if line.get("event") == "rbac.deny"]
    assert_that(denials, has_length(len(context.intrusions)), f"audit lines for trace {trace_id}: {lines}")
    tenant_b = context.gateway.tenant_of("tenant B")
    assert_that([line.get("tenant_id") for line in denials], only_contains(tenant_b), f"denials: {denials}")


# -- Thens: slowing down -----------------------------------------------------------------------------


@then("some are accepted and the rest are told to come back later with a wait in whole seconds")
def step_burst_split(context):
    burst = context.burst
    assert_that(burst.accepted, has_length(greater_than(0)), f"none of the burst was accepted: {burst}")
    assert_that(burst.refused, has_length(greater_than(0)), f"the whole burst was accepted: {burst}")
    assert_that(len(burst.accepted) + len(burst.refused), equal_to(burst.size), f"other answers: {burst.other}")
    waits = [answer.headers.get("retry-after", "") for answer in burst.refused]
    assert_that([w for w in waits if not re.fullmatch(r"[1-9][0-9]*", w)], equal_to([]),
                f"refusals without a wait in whole seconds: {waits}")


@then("the metrics count every refusal for the queue under tenant B")
def step_burst_counted(context):
    tenant = context.gateway.tenant_of("tenant B")
    queue = rise(context.before, context.after, "trace_queue_rejections_total", tenant=tenant)
    limited = rise(context.before, context.after, "rate_limit_rejections_total", tenant=tenant)
    assert_that(queue + limited, equal_to(len(context.burst.refused)),
                f"queue rejections rose by {queue:g} and rate-limit rejections by {limited:g} for {tenant}")
    assert_that(context.after.names(), all_of(has_item("trace_queue_depth"), has_item("trace_queue_rejections_total")),
                "the metrics do not show the queue's depth and rejections")


@then("every accepted trace completes with a valid hypergraph within the {budget} budget")
def step_burst_complete(context, budget):
    outcomes = context.gateway.finish_all("tenant B", context.burst.accepted, context.budgets[budget])
    assert_that(list(outcomes.values()), only_contains("complete"), f"outcomes of the accepted traces: {outcomes}")


@then("tenant B is told to come back later with a wait in whole seconds")
def step_rate_limited(context):
    assert_that(context.refused, has_length(1), f"no refusal in {context.reads_sent} reads")
    answer = context.refused[0]
    assert_that(refusal_of(answer)[:2], equal_to((429, "rate_limited")), shown(answer))
    assert_that(answer.headers.get("retry-after", ""), matches_regexp(r"^[1-9][0-9]*$"), shown(answer))


@then("only after its burst of reads was used up")
def step_after_burst(context):
    # The refusal may be the burst's last read, not only the one after: one read of slack for a token
    # taken by another of the suite's calls (its start-up check) on a gateway that shares buckets.
    assert_that(context.reads_sent, greater_than_or_equal_to(context.gateway.section["burst"]["read"]),
                "the gateway refused reads well within the tenant's burst")


@then("at that moment tenant A is still served")
def step_other_served(context):
    refused = [shown(answer) for answer in context.other_reads if answer.status not in (200, 404)]
    assert_that(refused, equal_to([]), "tenant A's reads that were not served while tenant B was over its rate")


# -- Thens: cancellation and expiry -------------------------------------------------------------------


@then("the cancellation is accepted")
def step_cancel_accepted(context):
    answer = context.cancellation
    assert_that(answer.status, equal_to(202), shown(answer))
    assert_that(answer.body, has_entries(state="canceled"), shown(answer))


@then("the trace ends cancelled, without a graph")
def step_ends_cancelled(context):
    done = _trace(context)
    final, _ = context.gateway.follow(done.caller, done.trace_id, context.budgets["trace_complete"])
    assert_that(final["state"], equal_to("canceled"), f"trace {done.trace_id} ended {final}")
    graph = context.gateway.graph(done.caller, done.trace_id)
    assert_that(graph.status, is_in((404, 409, 410)), f"a cancelled trace has a graph: {shown(graph)}")


@then("the cancellation is refused because the trace has already finished")
def step_cancel_refused(context):
    answer = context.cancellation
    assert_that(refusal_of(answer)[0], equal_to(409), shown(answer))
    assert_that(refusal_of(answer)[2] or "", has_length(greater_than(0)), f"no reason given: {shown(answer)}")


@then("its graph is gone for good within the {budget} budget")
def step_gone(context, budget):
    done = _trace(context)
    gone = context.gateway.wait_gone(done.caller, done.trace_id, context.budgets[budget])
    again = context.gateway.graph(done.caller, done.trace_id)
    assert_that((gone.status, again.status), equal_to((410, 410)), shown(again))
    status = context.gateway.status(done.caller, done.trace_id)
    assert_that(status.body if status.status == 200 else {}, has_entries(state="expired"), shown(status))


# -- Thens: the books ---------------------------------------------------------------------------------


@then("the request, chat, rate-limit and denial counters rose by exactly that under tenant A's label")
def step_counters(context):
    books = context.books
    assert_that(books.label_problem(), equal_to(None), "the tenant label of tenant A's requests")
    assert_that(books.rises(), equal_to(books.expected()), f"counter rises under tenant label {books.tenant!r}")


@then("no metric label holds a trace reference")
def step_no_ids(context):
    offenders = context.gateway.labels_with_ids(context.books.after)
    assert_that(offenders, equal_to([]), "metric label values that hold a trace reference or a raw path")


@then("the audit log records each of those events once, with tenant, subject, trace and path")
def step_audit_once(context):
    problems = context.gateway.audit_problems(context.audit_mark, _trace(context).trace_id)
    assert_that(problems, equal_to([]), "the audit log does not record each event once, complete")


@then("no audit line holds a token, the credentials, the e-mail address or the phone number")
def step_audit_clean(context):
    leaks = context.gateway.audit_leaks(context.audit_mark, (EMAIL, PHONE))
    assert_that(leaks, equal_to([]), "audit lines that hold secrets or personal data")


# -- Thens: the published API -------------------------------------------------------------------------


@then("every call without credentials is refused with an invitation to authenticate")
def step_anonymous_refused(context):
    open_ = [f"{method} {path}: {shown(anonymous)}" for (method, path), anonymous, _ in context.sweep
             if anonymous.status != 401 or not anonymous.headers.get("www-authenticate", "").startswith("Bearer")]
    assert_that(open_, equal_to([]), "operations that did not answer 401 with an invitation to authenticate")


@then("every malformed request is refused with a reason, never accepted and never a server error")
def step_malformed_refused(context):
    wrong = [f"{method} {path}: {shown(malformed)}" for (method, path), _, malformed in context.sweep
             if not (400 <= malformed.status < 500 and refusal_of(malformed)[2])]
    assert_that(wrong, equal_to([]), "operations that did not refuse a malformed request with a reason")


# -- Speed and deployment -------------------------------------------------------------------------------


@when("chats arrive steadily for a short while and some of them ask for explanations {how}")
def step_speed(context, how):
    context.speed = context.gateway.measure_speed(GRANULARITY[how], context.budgets["trace_complete"])


@then("every explanation completes")
def step_every_explanation(context):
    assert_that(context.speed.problems(), equal_to([]), f"the speed run: {context.speed.summary()}")


@then("the 95th percentile of explanation latency is within the {budget} budget")
def step_p95(context, budget):
    limit = context.budgets[budget]
    assert_that(context.speed.p95_s, all_of(not_none(), less_than_or_equal_to(limit.limit)),
                f"p95 explanation latency against the {limit}: {context.speed.summary()}")


@given("the gateway's rendered manifest and its chart values")
def step_chart(context):
    context.chart = context.gateway.chart()


@then("the manifest holds deployments, services, disruption budgets, network policies and a scaled object")
def step_kinds(context):
    assert_that(context.chart.missing_kinds(), equal_to([]), "kinds of resource the rendered manifest lacks")


@then("the scaled object's replica bounds and backlog target agree with the values")
def step_scaling(context):
    assert_that(context.chart.scaling_disagreements(), equal_to({}), "(scaled object, values) where they differ")


@then("node provisioners exist for CPU and for GPU nodes")
def step_nodes(context):
    assert_that(sorted(context.chart.node_kinds()), equal_to(["cpu", "gpu"]), "node kinds the provisioners offer")


@when("the explanation throughput of one replica and the share of chats asking for one are measured")
def step_capacity(context):
    context.capacity = context.gateway.capacity(context.budgets["trace_complete"])


@then("the replicas needed at the target concurrency are within the scaled object's bounds")
def step_replicas(context):
    low, high = context.chart.bounds()
    assert_that(context.capacity["problems"], equal_to([]), f"the measurement: {context.capacity}")
    assert_that(context.capacity["replicas_needed"], all_of(not_none(), less_than_or_equal_to(high)),
                f"replicas needed against the scaled object's bounds {low}..{high}: {context.capacity}")
