"""Steps of the preview platform: thin wrappers over support.preview and support.workspace."""
import uuid

from behave import given, then, when
from hamcrest import (
    assert_that, contains_string, empty, equal_to, greater_than, has_entries, has_item, has_length,
    instance_of, is_in, is_not,
)

from support.http import Answer
from support.preview.live_reload import Connection
from support.preview.pages import component_source_path, page_source_path
from support.preview.sessions import malformed_activation, owners_of_one_site, refused_as_unsafe

DETAIL_FIELDS = {"client": "clientId", "user": "userId", "instruction": "instruction"}
STAGE_MARKERS = {"email": "email_received", "container start": "container_started",
                 "instruction": "instruction_done", "build": "build_done", "upload": "upload_done",
                 "push": "push_done"}


def _max_instruction(context):
    return int(context.profile.limits["max_instruction_chars"].limit)


def _owner(context):
    context.client_id, context.user_id = context.run.site_owner()
    return context.client_id, context.user_id


@given("no edit containers are running")
def step_no_edit_containers(context):
    context.preview.edit_service.wait_for(0, within=context.budgets["scale change"])


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
    item = context.preview.store.wait_until_recorded(context.session, within=context.budgets["session recorded"])
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
                                       task_arn=context.preview.store.task_arn(context.session))
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
                                        task_arn=context.preview.store.task_arn(context.session))
    assert_that(history, has_length(1), "the workspace's history should hold only the site's creation")


@when("the site owner sends nothing more")
def step_owner_idle(context):
    status = context.preview.status(context.session)
    assert_that(status.get("status"), equal_to("active"), f"the session before going idle: {status}")


@then("no edit containers are running within the {budget} budget")
def step_back_to_zero(context, budget):
    context.preview.edit_service.wait_for(0, within=context.budgets[budget])


@then("the session is marked as expired within the {budget} budget")
def step_session_expired(context, budget):
    context.preview.wait_for_status(context.session, "expired", within=context.budgets[budget])


@when("someone asks for a session with {problem}")
def step_malformed_activation(context, problem):
    client_id, user_id = _owner(context)
    context.response = context.preview.activate_e(malformed_activation(problem, client_id, user_id, _max_instruction(context)))


@then("the request is refused with a reason that names the {detail}")
def step_refused(context, detail):
    answer = context.response
    assert_that(answer.status // 100, equal_to(4), f"answer {answer}")
    # The reason names what is wrong and nothing else: "clientId, userId and instruction are required" would
    # name the detail whatever was wrong.
    named = {word: field in (answer.reason or "") for word, field in DETAIL_FIELDS.items()}
    assert_that(named, equal_to({word: word == detail for word in DETAIL_FIELDS}),
                f"the details the reason names: {answer}")


@then("no session or container was created")
def step_nothing_created(context):
    assert_that(context.preview.store.sessions_of(context.client_id, context.user_id), equal_to([]))
    assert_that(context.preview.edit_service.counts(), has_entries(desired=0, running=0))


# -- Persistence, concurrency, routing and recovery ----------------------------------------------

ORDINALS = ("first", "second", "third", "fourth", "fifth")
# What the platform answers, in the words a scenario uses: the statuses that mean it.
ANSWERS = {"it was not found": (404,), "it is unavailable": (503,), "there is no such session": (400, 404)}
# The health checks the load balancer's target groups use (the contract's paths).
HEALTH_CHECKS = {"session": ("/hermes/health", "/hermes/health/ready", "/hermes/health/live"), "edit": ("/api/health",)}
UNKNOWN_SESSIONS = {"no session": None, "a session that does not exist": str(uuid.uuid4()),
                    "a session id with path characters": "../../etc/passwd"}


def _same_owner_asks(context, instruction):
    """The current site owner asks again: a live session continues, otherwise a new one starts."""
    context.session = context.preview.activate(context.client_id, context.user_id, instruction,
                                               on_created=context.add_cleanup)


def _ask_together(context, rows):
    """Site owners of one new site, one per (label, instruction, page) row, ask at the same moment."""
    context.owners = context.preview.ask_together(owners_of_one_site(context.run, rows),
                                                  on_created=context.add_cleanup)
    return context.owners


def _ordinal(context, ordinal):
    return context.owners[ORDINALS.index(ordinal)]


@when("an operator forces the edit service down to zero")
def step_force_down(context):
    context.preview.edit_service.scale(0)
    context.preview.edit_service.wait_for(0, within=context.budgets["scale change"])
    context.preview.wait_for_status(context.session, "expired", within=context.budgets["session expiry"])


@when('the site owner comes back and asks to "{instruction}"')
def step_owner_comes_back(context, instruction):
    _same_owner_asks(context, instruction)
    context.preview.wait_for_instruction_outcome(context.session, within=context.budgets["cold start"])


@then('the component "{name}" is still in the site owner\'s workspace within the {budget} budget')
def step_component_still_there(context, name, budget):
    context.preview.wait_for_workspace_file(context.session, component_source_path(name),
                                            within=context.budgets[budget])


@then('the workspace history still shows the change "{subject}"')
def step_history_shows(context, subject):
    context.history = context.workspace.history(context.client_id, context.user_id,
                                                task_arn=context.preview.store.task_arn(context.session))
    context.earlier_change = subject
    assert_that(context.history, has_item(subject), "the workspace's commit subjects, newest first")


@then("the update is recorded as a new change on top of it")
def step_update_on_top(context):
    history = context.history
    on_top = history.index(context.earlier_change) if context.earlier_change in history else None
    assert_that(on_top, equal_to(1), f"exactly one newer commit above {context.earlier_change!r}: {history}")


@then("the session reports that the instruction was refused as unsafe")
def step_refused_as_unsafe(context):
    outcome = context.preview.wait_for_instruction_outcome(context.session, within=context.budgets["cold start"])
    assert_that(refused_as_unsafe(outcome), equal_to(True), f"the instruction's outcome: {outcome}")


@then("no file was written outside the site owner's project")
def step_nothing_outside(context):
    stray = context.workspace.files_outside_projects(context.client_id,
                                                     task_arn=context.preview.store.task_arn(context.session))
    assert_that(stray, equal_to([]), f"files in the site's folder outside every project ({context.client_id})")


@when("these site owners of one site ask at the same moment:")
def step_owners_ask_together(context):
    _ask_together(context, [(row["site owner"], row["instruction"], row["page"]) for row in context.table])


@then("every site owner has a session recorded for them")
def step_every_owner_recorded(context):
    recorded = {}
    for owner in context.owners:
        item = context.preview.store.item(owner.session.id) if owner.session else None
        recorded[owner.label] = {key: (item or {}).get(key) for key in ("clientId", "userId")}
    expected = {owner.label: {key: owner.body[key] for key in ("clientId", "userId")} for owner in context.owners}
    answers = {owner.label: (owner.answer.status, owner.answer.body) for owner in context.owners}
    assert_that(recorded, equal_to(expected), f"the owner in each recorded session; answers: {answers}")


@then("the edit service runs between one and its maximum number of containers within the {budget} budget")
def step_containers_within_maximum(context, budget):
    sessions = [owner.session for owner in context.owners]
    context.preview.wait_until_all_active(sessions, within=context.budgets[budget])
    counts = context.preview.edit_service.counts()
    maximum = context.profile.limits["edit service max tasks"]
    assert_that(counts, has_entries(desired=is_in(range(1, int(maximum.limit) + 1)),
                                    running=is_in(range(1, int(maximum.limit) + 1))), f"edit service; {maximum}")


@then("each site owner's page is in that owner's workspace and in no other")
def step_pages_apart(context):
    labels = {(owner.body["clientId"], owner.body["userId"]): owner.label for owner in context.owners}
    found = {owner.label: [labels[holder] for holder in context.workspace.holders(
                 list(labels), page_source_path(owner.page), task_arn=context.preview.store.task_arn(owner.session))]
             for owner in context.owners}
    assert_that(found, equal_to({owner.label: [owner.label] for owner in context.owners}),
                "page of each owner → the owners whose workspace holds it")


@then("the other site owners' sessions expire within the {budget} budget while the first keeps working")
def step_others_expire(context, budget):
    first, *others = context.owners
    context.preview.wait_until_expired([owner.session for owner in others], kept_busy=first.session,
                                       within=context.budgets[budget])


@then("the {ordinal} site owner's session is still active")
def step_owner_still_active(context, ordinal):
    status = context.preview.status(_ordinal(context, ordinal).session)
    assert_that(status.get("status"), equal_to("active"), f"the {ordinal} owner's session: {status}")


@when("the {ordinal} site owner sends nothing more")
def step_ordinal_owner_idle(context, ordinal):
    context.session = _ordinal(context, ordinal).session
    step_owner_idle(context)


@given("site owners of one site are using every edit container the platform has")
def step_capacity_in_use(context):
    maximum = int(context.profile.limits["edit service max tasks"].limit)
    owners = _ask_together(context, [(ORDINALS[i], f"Create page {i + 1}", f"Page {i + 1}") for i in range(maximum)])
    refused = {owner.label: owner.answer.body for owner in owners if not owner.answer.accepted}
    assert_that(refused, equal_to({}), "every site owner should get a session while there is room")
    sessions = [owner.session for owner in owners]
    context.preview.wait_until_all_active(sessions, within=context.budgets["concurrent start"])
    for session in sessions:
        context.preview.keep_alive(session)
    context.histories = {owner.label: context.workspace.history(owner.body["clientId"], owner.body["userId"],
                                                                task_arn=context.preview.store.task_arn(owner.session))
                         for owner in owners}


@when('one more site owner of that site asks to "{instruction}"')
def step_one_more_owner(context, instruction):
    extra = owners_of_one_site(context.run, [("extra", instruction, None)], context.owners[0].body["clientId"])
    (context.extra,) = context.preview.ask_together(extra, on_created=context.add_cleanup)


@then("no other site owner's workspace was changed")
def step_others_unchanged(context):
    context.preview.wait_until_instructions_settled([owner.session for owner in context.owners],
                                                    within=context.budgets["cold start"])
    now = {owner.label: context.workspace.history(owner.body["clientId"], owner.body["userId"],
                                                  task_arn=context.preview.store.task_arn(owner.session))
           for owner in context.owners}
    assert_that(now, equal_to(context.histories), "each site owner's commit subjects, before and after")


@then("that site owner is asked to try again later")
def step_extra_try_again(context):
    answer = context.extra.answer
    assert_that(answer.asks_to_try_again(), equal_to(True), f"answer {answer}")


@then("no session was recorded for that site owner")
def step_extra_not_recorded(context):
    assert_that(context.preview.store.sessions_of(context.extra.body["userId"]), equal_to([]))


@given("these malformed requests for sessions were refused:")
def step_malformed_refused(context):
    answers = {}
    for row in context.table:
        client_id, user_id = _owner(context)
        response = context.preview.activate_e(malformed_activation(row["problem"], client_id, user_id, _max_instruction(context)))
        answers[row["problem"]] = response.status
    assert_that(answers, equal_to({row["problem"]: 400 for row in context.table}), "problem → answer")


@then("the {service} service reports healthy through the load balancer")
def step_service_healthy(context, service):
    answers = {path: context.preview.through_load_balancer(path) for path in HEALTH_CHECKS[service]}
    healthy = {path: a.status == 200 and a.get("status") == "healthy" for path, a in answers.items()}
    assert_that(healthy, equal_to({path: True for path in answers}),
                f"health checks: { {path: str(a) for path, a in answers.items()} }")


@then("the session's preview is served under its own address")
def step_preview_under_own_address(context):
    response = context.preview.through_load_balancer(f"/session/{context.session.id}")
    assert_that(response.status, equal_to(200), str(response))
    assert_that(response.text, contains_string(f"/session/{context.session.id}/"))


@when("someone opens the preview of a session that does not exist")
def step_open_unknown_preview(context):
    context.response = context.preview.through_load_balancer(f"/session/{uuid.uuid4()}")


@when("someone calls the edit service")
def step_call_edit_service(context):
    context.response = context.preview.through_load_balancer("/api/health")


@then("the platform answers that {what}")
def step_platform_answers(context, what):
    response = context.response
    assert_that(response.status, is_in(ANSWERS[what]), f"answer {response}")
    assert_that(response.get("message"), instance_of(str), f"a reason in the answer {response}")


@when("the site owner opens the preview with live reload")
def step_open_live_reload(context):
    context.live = context.live_reload.open_e({"sessionId": context.session.id})
    if isinstance(context.live, Connection):
        context.add_cleanup(context.live.close)


@then("the live reload connection is open through the load balancer")
def step_live_reload_open(context):
    assert_that(context.live, instance_of(Connection), f"the answer to the live reload request: {context.live}")
    context.live_reload.wait_until_open(context.live, within=context.budgets["live reload"])


@when('the site owner\'s next instruction is "{instruction}"')
def step_next_instruction(context, instruction):
    _same_owner_asks(context, instruction)


@then("the preview is told to reload within the {budget} budget")
def step_told_to_reload(context, budget):
    context.live_reload.wait_for_reload(context.live, within=context.budgets[budget])


@when("someone opens live reload for {which}")
def step_open_unknown_live_reload(context, which):
    session_id = UNKNOWN_SESSIONS[which]
    context.live = context.live_reload.open_e({} if session_id is None else {"sessionId": session_id})
    if isinstance(context.live, Connection):
        context.add_cleanup(context.live.close)


@then("the live reload request is refused with a reason")
def step_live_reload_refused(context):
    assert_that(context.live, instance_of(Answer), "the load balancer should not open live reload")
    assert_that(context.live.status // 100, equal_to(4), f"refusal: {context.live}")
    assert_that(context.live.get("message"), instance_of(str), f"a reason in the refusal {context.live}")


@when("the container process of the session crashes")
def step_container_crashes(context):
    context.crashed_task = context.preview.store.task_arn(context.session)
    context.chaos.crash_task(context.crashed_task)


@then("the edit service replaces the container within the {budget} budget")
def step_container_replaced(context, budget):
    context.preview.wait_for_replacement(context.session, context.crashed_task, within=context.budgets[budget])


@then("the session's preview is back within the {budget} budget")
def step_preview_back(context, budget):
    context.preview.wait_for_preview_back(context.session, context.crashed_task, within=context.budgets[budget])


@given("the session store is throttling writes")
def step_store_throttling(context):
    context.chaos.throttle_session_store(context.profile.area("preview")["chaos"]["throttled_writes"], on_started=context.add_cleanup)


@when("{count:d} site owners of one site ask for sessions at the same moment")
def step_rush(context, count):
    _ask_together(context, [(f"owner{i + 1}", f"Create page R{i + 1}", f"Page R{i + 1}") for i in range(count)])
    throttled = context.chaos.throttled_writes()
    assert_that(throttled, greater_than(0), "session-store writes refused during the rush (else it proved nothing)")


@then("at least one of them gets a session")
def step_at_least_one(context):
    answers = [owner.answer.status for owner in context.owners]
    assert_that([code for code in answers if code in (200, 201)], is_not(empty()), f"answers: {answers}")


@then("every other is asked to try again")
def step_others_try_again(context):
    refusals = [owner.answer for owner in context.owners if not owner.answer.accepted]
    unclear = [str(a) for a in refusals if not a.asks_to_try_again()]
    assert_that(unclear, equal_to([]), f"refusals that do not ask to try again, of {len(refusals)}")


@then("nothing is left behind by the refused requests")
def step_nothing_left_behind(context):
    started = [owner.session for owner in context.owners if owner.session]
    context.preview.wait_until_started(started, within=context.budgets["concurrent start"])
    refused = [owner.body for owner in context.owners if not owner.session]
    left = {body["userId"]: {"session items": len(context.preview.store.sessions_of(body["userId"])),
                             "workspace": context.workspace.exists(body["clientId"], body["userId"])}
            for body in refused}
    assert_that({user: seen for user, seen in left.items() if any(seen.values())}, equal_to({}),
                "refused site owners with something left behind")
    context.preview.edit_service.wait_for(0, within=context.budgets["idle shutdown"])


@when("someone ends {which}")
def step_end_unknown(context, which):
    context.ended_id = UNKNOWN_SESSIONS[which]
    context.response = context.preview.deactivate_e(context.ended_id)


@then("nothing was recorded for that session")
def step_nothing_recorded_for(context):
    assert_that(context.preview.store.item(context.ended_id), equal_to(None))
