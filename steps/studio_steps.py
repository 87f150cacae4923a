"""Steps of the studio admin: thin wrappers over support.studio (client, operator, safety gates)."""
from behave import given, then, when
from hamcrest import (
    all_of, assert_that, contains_string, empty, equal_to, greater_than, greater_than_or_equal_to, has_entries,
    has_length, instance_of, is_not, less_than_or_equal_to, none, not_none,
)

from support.studio.client import (
    CALLERS, FALLBACK_REASON, FALLBACK_SCORE, REFUSALS, WARNINGS, CostNotApproved, Operator, dispatch_records,
    by_margin, expected_variant_id, hud_discrepancies, instruction_of, recommended, routing_differences,
)


def _operator(context):
    """The scenario's operator; behave drops it with the scenario's other attributes."""
    if getattr(context, "studio_operator", None) is None:
        context.studio_operator = Operator(context.studio, context.run, context.add_cleanup)
    return context.studio_operator


def _effect(context):
    return getattr(context, "effect_revision_id", None) or _operator(context).effect_revision_id


def _benchmark(context):
    attempt = context.benchmark_attempt
    assert_that(attempt.refusal, none(), f"the cost gate refused the benchmark: {attempt.refusal}")
    return attempt.result


def _hud(context):
    if getattr(context, "hud", None) is None:
        context.hud = context.studio.money_hud(_benchmark(context)["id"])
    return context.hud


# -- Givens: the target and the data ----------------------------------------------------------------


@given("the studio's golden dataset is available")
def step_dataset_available(context):
    if getattr(context, "studio", None) is None:
        context.scenario.skip(f"profile '{context.profile.name}' has no studio (set studio.base_url)")
        return
    variants = context.studio.variants(_operator(context).effect_revision_id)
    assert_that(variants, is_not(empty()), f"eligible variants of dataset {context.studio.dataset['name']}")


@given("the studio has a variant that fails on purpose")
def step_failing_variant(context):
    """Scenarios that need it carry @use.with_capability=failing_variant; this checks the target has it."""
    context.studio.variant_on(_operator(context).effect_revision_id, context.studio.dataset["flaky_environment_id"])


@given("the studio has no quality provider key")
def step_no_provider_key(context):
    """Nothing to do: the scenario runs only where the profile says so (@use.with_capability=no_quality_provider_key),
    and what it checks, the fallback score and its warning, proves it."""


@given("the effect's routing is in place")
def step_routing_in_place(context):
    context.routing_before = context.studio.routing(_effect(context))
    assert_that(context.routing_before, not_none(), f"the active routing of effect {_effect(context)}")


@given("an effect that has never been routed")
def step_unrouted_effect(context):
    context.effect_revision_id = context.studio.dataset["unrouted_effect_revision_id"]
    assert_that(context.studio.routing(context.effect_revision_id), none(), "the effect's routing")


@given("no cost approval reference is given")
def step_no_approval(context):
    _operator(context).approval = None


@given('the operator holds the cost approval reference "{reference}"')
def step_approval(context, reference):
    _operator(context).approval = reference


@given("the operator has promoted the {which} variant with its rollback plan registered")
def step_promoted(context, which):
    operator = _operator(context)
    variant = context.studio.variant_on(operator.effect_revision_id, operator.environment(which))
    operator.promote(operator.effect_revision_id, variant["variant_id"])


@given("a smoke load test has finished")
def step_smoke_finished(context):
    step_start_load_test(context, "smoke", "baseline")
    run = context.studio.wait_until_finished(context.load_test["id"], within=context.budgets["studio load test"])
    assert_that(run["status"], equal_to("completed"), f"the smoke load test: {run}")


@given("a smoke load test is waiting to start")
def step_smoke_queued(context):
    operator = _operator(context)
    context.load_test = operator.queue_load_test("smoke", operator.environment("baseline"))


@given("a benchmark of every eligible variant with {runs:d} run each")
@given("a benchmark of every eligible variant with {runs:d} runs each")
def step_given_benchmark(context, runs):
    step_benchmark(context, runs)
    _benchmark(context)


# -- Whens: what the operator (or someone else) does ----------------------------------------------


@when("the operator starts the {scenario} load test on the {which} variant")
def step_start_load_test(context, scenario, which):
    operator = _operator(context)
    context.load_test = operator.start_load_test(scenario, operator.environment(which))


@when("the operator benchmarks every eligible variant with {runs:d} runs each")
def step_benchmark(context, runs):
    context.benchmark_attempt = _operator(context).benchmark(runs)
    context.hud = None


@when("the operator has each variant's output evaluated for quality")
def step_evaluate(context):
    context.evaluations = _operator(context).evaluate_outputs(_benchmark(context))


@when("the operator promotes the winner")
def step_promote_winner(context):
    winner = _hud(context)["winner"]
    assert_that(winner, not_none(), f"the money HUD has no winner: {_hud(context)}")
    context.promoted = _operator(context).promote(_effect(context), winner["variant_id"])


@when("the operator rolls the routing back")
def step_roll_back(context):
    context.answer = _operator(context).roll_back(_effect(context))


@when("the operator applies the variant on the retired environment")
def step_apply_retired(context):
    operator = _operator(context)
    context.answer = operator.apply_e(_effect(context), operator.variant_on_retired_environment())


@when("the operator cancels that load test")
def step_cancel(context):
    context.answer = context.studio.cancel_load_test_e(context.load_test["id"])


@when("{caller} tries to route the effect to another variant")
def step_caller_applies(context, caller):
    role, host = CALLERS[caller]
    if role and not context.studio.has_token(role):
        context.scenario.skip(f"the profile has no {role} token (studio.tokens.{role})")
        return
    operator = _operator(context)
    context.answer = operator.apply_e(_effect(context), operator.another_variant(context.routing_before),
                                      role=role, host=host)


@when("the executor submits dispatches for it with a wrong secret")
def step_wrong_secret(context):
    context.answer = context.studio.submit_dispatches_e(context.load_test, secret=context.run.name("not_the_secret"))


@when("the operator lists the eligible variants of the effect twice")
def step_list_twice(context):
    context.listings = [context.studio.variants(_effect(context)) for _ in range(2)]


# -- Thens: load tests --------------------------------------------------------------------------------


@then("the load test finishes within the {budget} budget")
def step_load_test_finishes(context, budget):
    context.load_test = context.studio.wait_until_finished(context.load_test["id"], within=context.budgets[budget])
    assert_that(context.load_test["status"], equal_to("completed"), f"the load test: {context.load_test}")


@then("the load test reports every planned dispatch with its latency and costs")
def step_load_test_metrics(context):
    run, planned = context.load_test, context.load_test["metrics_json"].get("planned_dispatches")
    assert_that(run["success_count"] + run["failure_count"], all_of(equal_to(planned), greater_than(0)),
                f"dispatches reported against the plan: {run}")
    assert_that(run, has_entries(p95_latency_ms=greater_than(0), effective_cost_usd=greater_than(0),
                                 achieved_rps=greater_than(0)), "the load test's metrics")


@then("the load test is reported as {status}")
def step_load_test_status(context, status):
    run = context.studio.load_test(context.load_test["id"])
    assert_that(run["status"], equal_to(status), f"the load test: {run}")


@then("no dispatch was recorded for the load test")
def step_no_dispatch(context):
    run = context.studio.load_test(context.load_test["id"])
    assert_that(run["success_count"] + run["failure_count"], equal_to(0), f"the load test: {run}")


@then("the stop condition stops the load test within the {budget} budget")
def step_stop_condition(context, budget):
    verdict = _operator(context).watch_stop_condition(context.load_test["id"], within=context.budgets[budget])
    assert_that(verdict.tripped, equal_to(True),
                f"the load test ended without the stop condition tripping: {verdict.run}")
    assert_that(verdict.plan_outcome["cancelled"], equal_to([context.load_test["id"]]), "the rollback plan")


# -- Thens: benchmark, quality, money HUD ---------------------------------------------------------------


@then("the benchmark has one item with its dispatch records for every eligible variant")
def step_matrix_items(context):
    benchmark = _benchmark(context)
    eligible = sorted(item["variant_id"] for item in context.studio.variants(_effect(context)))
    items = context.studio.benchmark_run(benchmark["id"])["items"]
    assert_that(sorted(item["variant_id"] for item in items), equal_to(eligible), "the benchmark's items")
    for item in items:
        assert_that(dispatch_records(item), has_length(benchmark["runs_per_variant"]),
                    f"dispatch records of {item['variant_id']}")


@then("every variant's output has a quality evaluation")
def step_quality_exists(context):
    benchmark = _benchmark(context)
    evaluations = context.studio.evaluations_of(benchmark["id"])
    evaluated = sorted(e["benchmark_matrix_run_item_id"] for e in evaluations)
    assert_that(evaluated, equal_to(sorted(item["id"] for item in benchmark["items"])), "items with an evaluation")
    for evaluation in evaluations:
        assert_that(evaluation, has_entries(status="completed", composite_score=all_of(
            greater_than_or_equal_to(0), less_than_or_equal_to(1))), "a quality evaluation")


@then("every evaluation has the neutral fallback score because the provider key is missing")
def step_fallback_score(context):
    assert_that(context.evaluations, is_not(empty()), "evaluations")
    for evaluation in context.evaluations:
        assert_that(evaluation, has_entries(composite_score=FALLBACK_SCORE,
                                            result_json=has_entries(fallback_reason=FALLBACK_REASON)))


@then("a warning for every fallback tells the operator what to do")
def step_fallback_logged(context):
    warnings = [entry for entry in _operator(context).logged() if entry["event"] == "quality_eval_fallback_used"]
    warned_about = sorted(entry["context_json"]["quality_evaluation_id"] for entry in warnings
                          if entry["severity"] == "warn" and instruction_of(entry))
    assert_that(warned_about, equal_to(sorted(e["id"] for e in context.evaluations)),
                f"fallback warnings with an instruction: {warnings}")


@then("the money HUD names the variant with the highest margin as the winner")
def step_hud_winner(context):
    hud = _hud(context)
    items = context.studio.benchmark_run(_benchmark(context)["id"])["items"]
    assert_that(hud["rows"], is_not(empty()), f"measurable rows of the money HUD: {hud}")
    assert_that(hud_discrepancies(hud["rows"], items), empty(), f"the money HUD's rows: {hud['rows']}")
    best, *others = by_margin(hud["rows"])
    assert_that([row for row in others if row["margin_usd"] >= best["margin_usd"]], empty(),
                f"rows with a margin as high as {best['variant_id']}'s {best['margin_usd']}")
    assert_that(hud["winner"], equal_to(best), f"the money HUD's winner; rows by margin: {by_margin(hud['rows'])}")


@then("the money HUD recommends routing to the winner")
def step_hud_recommends(context):
    hud = _hud(context)
    routing = recommended(hud, "routing")
    assert_that(list(routing), equal_to([hud["winner"]["variant_id"]]), f"routing recommendations: {hud}")
    assert_that(routing[hud["winner"]["variant_id"]],
                has_entries(action="apply_variant", expected_margin_usd=hud["winner"]["margin_usd"]),
                f"the routing recommendation against the winner {hud['winner']}")


@then("every variant failing more often than the reliability limit gets a reliability recommendation")
def step_reliability_flagged(context):
    hud, limit = _hud(context), context.studio.reliability_limit_percent
    failing = sorted(row["variant_id"] for row in hud["rows"] if row["failure_rate_percent"] > limit)
    assert_that(failing, is_not(empty()), f"variants failing above {limit} %: {hud['rows']}")
    flagged = recommended(hud, "reliability")
    assert_that(sorted(v for v in failing if v in flagged), equal_to(failing), f"reliability advice: {hud}")


@then("no variant within the reliability limit gets one")
def step_reliable_not_flagged(context):
    hud, limit = _hud(context), context.studio.reliability_limit_percent
    reliable = {row["variant_id"] for row in hud["rows"] if row["failure_rate_percent"] <= limit}
    assert_that(sorted(reliable & set(recommended(hud, "reliability"))), empty(), f"reliability advice: {hud}")


# -- Thens: routing -------------------------------------------------------------------------------------


@then("the winner is the active routing for the effect")
def step_winner_active(context):
    active = context.studio.routing(_effect(context))
    assert_that(active, has_entries(id=context.promoted["id"], variant_id=_hud(context)["winner"]["variant_id"]),
                "the active routing")


@then("the routing is exactly what it was before the promotion")
def step_routing_restored(context):
    operator = _operator(context)
    active = context.studio.routing(_effect(context))
    assert_that(routing_differences(operator.routing_before_promotion, active), equal_to({}),
                f"the routing now {active} against before the promotion {operator.routing_before_promotion}")
    assert_that(active["rollback_of_binding_id"], equal_to(operator.promoted["id"]), "what the rollback undid")


@then("the effect's routing is unchanged")
def step_routing_unchanged(context):
    active = context.studio.routing(_effect(context))
    assert_that(active, has_entries(id=context.routing_before["id"], is_active=True), "the active routing")
    assert_that(routing_differences(context.routing_before, active), equal_to({}),
                f"the routing now {active} against before the request {context.routing_before}")


@then("the effect still has no routing")
def step_still_unrouted(context):
    assert_that(context.studio.routing(_effect(context)), none(), "the effect's routing")


# -- Thens: refusals, gates, logs, variant ids --------------------------------------------------------


@then("the request is refused because {reason}")
def step_refused(context, reason):
    status, message = REFUSALS[reason]
    assert_that((context.answer.status, context.answer.get("message")), equal_to((status, message)), str(context.answer))


@then("the benchmark is refused before anything is created or started, naming its estimate and the cost limit")
def step_cost_refused(context):
    attempt = context.benchmark_attempt
    assert_that(attempt.refusal, instance_of(CostNotApproved), f"the benchmark went ahead: {attempt.result}")
    assert_that(attempt.refusal.estimate.usd, greater_than(attempt.refusal.limit_usd), str(attempt.refusal))
    assert_that(str(attempt.refusal), all_of(contains_string(f"${attempt.refusal.estimate.usd:.2f}"),
                                             contains_string(f"${attempt.refusal.limit_usd:.2f}")))
    changes = context.studio.changes_since(attempt.before)
    assert_that(changes, equal_to({"requests_that_spend": [], "new_load_tests": [], "new_benchmarks": []}),
                "what the studio shows since the attempt")


@then("every warning the studio logged for this work carries an operator instruction")
def step_warnings_instructed(context):
    logged = _operator(context).logged()
    assert_that(logged, is_not(empty()), "action-log entries about this scenario's work")
    silent = [entry for entry in logged if entry["severity"] in WARNINGS and not instruction_of(entry)]
    assert_that(silent, empty(), "warnings and critical entries without an operator instruction")


@then("every variant has the same id both times")
def step_ids_stable(context):
    first, second = ([item["variant_id"] for item in listing] for listing in context.listings)
    assert_that(second, equal_to(first), "variant ids of two listings")


@then("every variant's id is made of its effect, workflow, environment, stage and experiment")
def step_ids_from_parts(context):
    for item in context.listings[0]:
        assert_that(item["variant_id"], equal_to(expected_variant_id(item, _effect(context))), f"variant {item}")

