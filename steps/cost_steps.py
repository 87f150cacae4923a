"""Steps about what the platform's work costs, measured by support.costs."""
from behave import given, then, when
from hamcrest import assert_that, greater_than, has_properties, less_than_or_equal_to

from support.preview.costs import estimate_usd


@given("the session has been shut down after going idle")
def step_session_shut_down(context):
    context.preview.edit_service.wait_for(0, within=context.budgets["idle shutdown"])
    context.preview.wait_for_status(context.session, "expired", within=context.budgets["session expiry"])


@when("the cost of the scenario so far is estimated")
def step_estimate(context):
    context.usage = context.costs.usage_so_far()
    context.estimate = estimate_usd(context.usage, context.profile.area("preview")["costs"]["prices"])


@then("the estimate counts container time, session store requests and log volume")
def step_estimate_counts(context):
    assert_that(context.usage, has_properties(container_seconds=greater_than(0), dynamodb_requests=greater_than(0),
                                              log_bytes=greater_than(0)))


@then("the estimate stays within the session cost limit")
def step_within_session_limit(context):
    limit = context.profile.area("preview")["costs"]["session_limit_usd"]
    assert_that(context.estimate, less_than_or_equal_to(limit), f"estimated USD for {context.usage}")
