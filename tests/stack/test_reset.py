"""Hermes's reset (`/control/reset`, on its own port only): what the fault matrix calls after every run so
that the next run finds the preview as a fresh start would leave it, including what a defect keeps in
Hermes's memory after it is switched off (tests/stack_lane.py). A stack of its own, so that no other
Hermes reads its email queue."""
import json
from email.message import EmailMessage

import httpx

from stack.settings import NAMES
from tests.stack.processes import Stack, wait_until
from tests.stack.test_end_to_end import ACTIVATE, identity, sessions_of

LASTING = ["consumer_stops_after_malformed", "refused_activation_holds_capacity"]
INTAKE_S = 10.0


def test_a_reset_releases_held_capacity_and_restarts_a_stopped_email_intake(scratch, aws):
    stack = Stack(scratch, aws, ["ecs", "hermes"], max_edit_tasks=1)
    try:
        with httpx.Client(base_url=stack.url("hermes"), timeout=30) as hermes:
            assert hermes.put("/control/faults", json={"faults": LASTING}).json()["faults"] == LASTING
            assert hermes.post(ACTIVATE, json={"clientId": "TEST_refused"}).status_code == 400
            send_email(stack, "not an email")
            wait_until(lambda: stack.processes.log("hermes"), until=lambda log: "set aside a message" in log,
                       within=INTAKE_S, describe="the email intake to set the unreadable message aside")
            hermes.put("/control/faults", json={"faults": []})
            assert hermes.post(ACTIVATE, json={**identity(), "instruction": "Create page A"}).status_code == 503

            undone = hermes.post("/control/reset").json()

            assert (undone["capacity_released"], undone["email_intake_restarted"]) == (1, True)
            # The one edit task the defect held is free again, and the intake reads the queue again.
            ids = {"clientId": "TEST_reset", "userId": "TEST_reset_owner@example.com"}
            send_email(stack, json.dumps({"messageId": "reset-1", "content": readable(ids)}))
            wait_until(lambda: sessions_of(stack, ids), until=bool, within=INTAKE_S,
                       describe="a session for the email sent after the reset")
    finally:
        stack.stop()


def readable(ids):
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = ids["userId"], f"{ids['clientId']}@edit.webordinary.test", "Edit"
    email.set_content("Create page B")
    return email.as_string()


def send_email(stack, body):
    sqs = stack.client("sqs")
    sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=NAMES["email_queue"])["QueueUrl"], MessageBody=body)
