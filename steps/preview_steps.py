"""Steps of the preview platform: thin wrappers over support.preview and support.workspace."""
from behave import given, then, when
from hamcrest import assert_that, contains_string, equal_to, has_entries, has_item, has_length, is_in

from support.preview import malformed_activation, page_source_path

DETAIL_FIELDS = {"client": "clientId", "user": "userId", "instruction": "instruction"}
STAGE_MARKERS = {"email": "email_received", "container start": "container_started",
                 "instruction": "instruction_done", "build": "build_done", "upload": "upload_done",
                 "push": "push_done"}


def _owner(context):
    context.client_id = context.run.name("client")
    context.user_id = context.run.name("owner")
    return context.client_id, context.user_id


@given("no edit containers are running")
def step_no_edit_containers(context):
    context.preview.wait_for_edit_service(0, within=context.budgets["scale change"])


@when('a site owner asks to "{instruction}"')
def step_owner_asks(context, instruction):
    client_id, user_id = _owner(context)
    context.session = context.preview.activate(client_id, user_id, instruction, on_created=context.add_cleanup)


@given('a site owner\'s session has finished the instruction "{instruction}"')
def step_session_finished(context, instruction):
    step_owner_asks(context, instruction)
    context.preview.wait_until_ready(context.session, within=context.budgets["cold start"])
    status = context.preview.wait_for_status(context.session, "active", within=context.budgets["session recorded"])
    assert_that(status.get("instructionStatus"), equal_to("done"), f"the instruction's outcome: {status}")


@then("the session is recorded for that site owner")
def step_session_recorded(context):
    item = context.preview.wait_until_recorded(context.session, within=context.budgets["session recorded"])
    assert_that(item, has_entries(clientId=context.client_id, userId=context.user_id))
    assert_that(item["status"], is_in(["initializing", "active"]), f"session item: {item}")


@then("an edit container is ready within the {budget} budget")
def step_container_ready(context, budget):
    context.preview.wait_until_ready(context.session, within=context.budgets[budget])


@then('the preview shows a page titled "{title}"')
def step_preview_shows(context, title):
    page = context.preview.page_titled(context.session, title)
    assert_that(page["title"], equal_to(title), f"the preview's pages: {page}")


@then('the page "{title}" is saved in the site owner\'s workspace')
def step_page_saved(context, title):
    path = page_source_path(title)
    found = context.workspace.has_file(context.client_id, context.user_id, path,
                                       task_arn=context.preview.task_arn(context.session))
    assert_that(found, equal_to(True), f"{path} in the workspace of {context.client_id}/{context.user_id}")


@then("the preview is published for sharing")
def step_preview_published(context):
    assert_that(context.preview.published_pages(context.session), has_item("index.html"))


@then("the platform's logs show the {stages} stages of the session")
def step_stages_logged(context, stages):
    wanted = [STAGE_MARKERS[word.strip()] for word in stages.replace(" and ", ",").split(",")]
    logged = context.preview.stages_logged(context.session, wanted)
    assert_that(logged, equal_to({stage: True for stage in wanted}), "stage → logged")


@then("the session reports that the instruction was not understood")
def step_instruction_not_understood(context):
    outcome = context.preview.wait_for_instruction_outcome(context.session, within=context.budgets["cold start"])
    assert_that(outcome, has_entries(instructionStatus="failed", instructionReason=contains_string("understand")))


@then("nothing was committed to the site owner's workspace")
def step_nothing_committed(context):
    history = context.workspace.history(context.client_id, context.user_id,
                                        task_arn=context.preview.task_arn(context.session))
    assert_that(history, has_length(1), "the workspace's history should hold only the site's creation")


@when("the site owner sends nothing more")
def step_owner_idle(context):
    status = context.preview.status(context.session)
    assert_that(status.get("status"), equal_to("active"), f"the session before going idle: {status}")


@then("no edit containers are running within the {budget} budget")
def step_back_to_zero(context, budget):
    context.preview.wait_for_edit_service(0, within=context.budgets[budget])


@then("the session is marked as expired within the {budget} budget")
def step_session_expired(context, budget):
    context.preview.wait_for_status(context.session, "expired", within=context.budgets[budget])


@when("someone asks for a session with {problem}")
def step_malformed_activation(context, problem):
    client_id, user_id = _owner(context)
    context.response = context.preview.activate_e(malformed_activation(problem, client_id, user_id))


@then("the request is refused with a reason that names the {detail}")
def step_refused(context, detail):
    response = context.response
    assert_that(response.status_code // 100, equal_to(4), f"answer {response.status_code}: {response.text[:300]}")
    assert_that(response.text, contains_string(DETAIL_FIELDS[detail]))


@then("no session or container was created")
def step_nothing_created(context):
    assert_that(context.preview.sessions_of(context.client_id, context.user_id), equal_to([]))
    assert_that(context.preview.edit_service(), has_entries(desired=0, running=0))
