"""Steps of the performance features: thin wrappers over support.perf."""
from behave import given, then, when
from hamcrest import assert_that, empty, is_not, less_than, less_than_or_equal_to

from support import reporting
from support.perf.generator import InvalidRun
from support.preview.performance.sessions import unclear_refusals
from support.preview.performance.suite import PerformanceSuite, measure


def _perf(context):
    """The scenario's PerformanceSuite (built on first use, from the profile and the run's clients)."""
    if not getattr(context, "perf", None):
        context.perf = PerformanceSuite(context.profile, context.preview_aws, context.preview, context.email, context.run)
    return context.perf


@when("a site owner emails an instruction and the platform carries it through every stage")
def step_email_flow(context):
    context.flow = _perf(context).time_email_flow('Add a new page called "Stages"', on_created=context.add_cleanup)


@then("each stage of the flow is within its budget")
def step_stages_within_budget(context):
    timings = context.flow.timings
    invalid = context.flow.stages_invalid()
    if invalid:
        reporting.skip_as_invalid(context.scenario, invalid)
        return
    over = [timing.line() for timing in timings if not timing.within]
    assert_that(over, empty(), "stages over budget; all stages: " + "; ".join(timing.line() for timing in timings))


@then("the whole flow is within the {budget} budget")
def step_whole_flow(context, budget):
    total = context.flow.flow.total()
    invalid = context.flow.total_invalid(context.budgets[budget].limit)
    if invalid:
        reporting.skip_as_invalid(context.scenario, invalid)
        return
    assert_that(total, less_than_or_equal_to(context.budgets[budget].limit),
                f"the whole flow took {total:.3f} s; budget {context.budgets[budget]}")


@given("a site owner's session has started")
def step_session_started(context):
    context.client_id, context.user_id = context.run.site_owner()
    context.session, _ = _perf(context).starts.start(context.client_id, context.user_id,
                                                     'Add a new page called "First"', context.add_cleanup)


@when("the site owner starts again several times while the container runs")
def step_warm_starts(context):
    context.warm_starts = _perf(context).warm_starts(context.client_id, context.user_id, context.add_cleanup)


@then("every warm start is within the {budget} budget")
def step_warm_within_budget(context, budget):
    limit = context.budgets[budget]
    over = [round(seconds, 3) for seconds in context.warm_starts if seconds > limit.limit]
    assert_that(over, empty(), f"warm starts in seconds: {[round(s, 3) for s in context.warm_starts]}; {limit}")


@when("several site owners each start from zero and then again while their container runs")
def step_cold_and_warm(context):
    context.starts = _perf(context).compare_starts(context.add_cleanup)


@then("the average warm start takes less than its share of the average cold start")
def step_warm_share(context):
    share = context.perf.settings.start_times["warm_share_of_cold"]
    starts = context.starts
    assert_that(starts.warm_share, less_than(share),
                f"average warm start {starts.warm.aggregate('avg'):.0f} ms, average cold start "
                f"{starts.cold.aggregate('avg'):.0f} ms; a warm start may take at most {share:.0%} of a cold one")


@when("site owners start sessions steadily for the {period} period")
@when("site owners start sessions all at once in a {period}")
def step_load(context, period):
    try:
        context.load_run, context.load_report = _perf(context).arrive(period, on_created=context.add_cleanup)
    except InvalidRun as invalid:
        reporting.skip_as_invalid(context.scenario, str(invalid))


@then("the {words} meets its thresholds")
def step_meets_thresholds(context, words):
    verdicts = context.load_report.verdicts_for(measure(words))
    assert_that(verdicts, is_not(empty()), f"the profile sets no threshold for the {words} of this load")
    invalid = context.load_run.invalid(measure(words), verdicts)
    if invalid:
        reporting.skip_as_invalid(context.scenario, invalid)
        return
    failed = [verdict.row() for verdict in verdicts if not verdict.passed]
    assert_that(failed, empty(), f"(metric, threshold, measured, verdict) of the {words}")


@then("every site owner who was refused was told clearly to try again")
def step_refusals_clear(context):
    assert_that(unclear_refusals(context.load_run), empty(), "refusals that are not a clear 'try again'")


@then("nothing is left behind for the site owners who were refused")
def step_nothing_left_behind(context):
    assert_that(context.perf.leftovers(context.load_run), empty(), "left behind by refused activations")
