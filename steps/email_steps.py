"""Steps of the email intake: a site owner's mail in, the platform's acknowledgement out."""
from behave import given, then, when
from hamcrest import assert_that, contains_string, equal_to, has_length, matches_regexp

from support.preview.pages import page_source_path

UNREADABLE = "an email envelope without any email in it"
# That envelope leaves out the email itself, which the contract calls its `content`: a reason that
# says what was unreadable names it ("message has no email content"); "could not be processed" does not.
MISSING_PART = "content"


@when('a site owner emails the instruction "{instruction}"')
@when('the site owner emails the instruction "{instruction}"')
def step_owner_emails(context, instruction):
    if not getattr(context, "client_id", None):
        context.client_id, context.user_id = context.run.site_owner()
    context.email.send(context.client_id, context.user_id, instruction)
    context.add_cleanup(context.email.discard, context.client_id)


@then("a session is started for the email's conversation")
def step_session_for_conversation(context):
    context.session, context.conversation = context.email.wait_for_conversation(
        context.client_id, within=context.budgets["email intake"], on_created=context.add_cleanup)


@then("the site owner receives an acknowledgement that names the conversation")
def step_acknowledged(context):
    mail = context.mailbox.wait_for_mail(context.user_id, f"Conversation ID: {context.conversation}",
                                         within=context.budgets["email intake"])
    assert_that(mail["body"], contains_string(context.conversation))


@given('a site owner\'s emailed instruction "{instruction}" has been acknowledged')
def step_emailed_and_acknowledged(context, instruction):
    step_owner_emails(context, instruction)
    step_session_for_conversation(context)
    step_acknowledged(context)
    context.previous = context.preview.wait_for_instruction_outcome(context.session,
                                                                    within=context.budgets["cold start"])
    assert_that(context.previous["instructionStatus"], equal_to("done"), f"the first instruction: {context.previous}")


@when('the site owner replies in that conversation with "{instruction}"')
def step_reply(context, instruction):
    context.email.send(context.client_id, context.user_id, instruction, conversation=context.conversation)


@then("the reply is handled in the same conversation")
def step_reply_same_conversation(context):
    handled = context.preview.wait_for_new_commit_in_conversation(
        context.client_id, context.conversation, after=context.previous["lastCommit"],
        within=context.budgets["cold start"])
    assert_that(handled["instructionStatus"], equal_to("done"), f"the reply's session: {handled}")


@then('the site owner\'s workspace holds the pages "{first}" and "{second}"')
def step_workspace_holds_pages(context, first, second):
    for title in (first, second):
        path = page_source_path(title)
        assert_that(context.workspace.has_file(context.client_id, context.user_id, path), equal_to(True),
                    f"{path} in the workspace of {context.user_id}")


@when("an unreadable message arrives for a site owner")
def step_unreadable_message(context):
    context.client_id, context.user_id = context.run.site_owner()
    context.email.send_raw({"messageId": context.client_id, "note": UNREADABLE})
    context.add_cleanup(context.email.discard, context.client_id)


@then("the unreadable message is set aside with a reason that says what was missing from it")
def step_set_aside(context):
    set_aside = context.email.set_aside(context.client_id, within=context.budgets["email intake"])
    assert_that(set_aside, has_length(1))
    assert_that(set_aside[0]["reason"], matches_regexp(rf"(?i)\b{MISSING_PART}\b"),
                f"a reason that names the missing email {MISSING_PART} (the set-aside message: {set_aside[0]})")
