"""The embedded Hermes's acknowledgements land in the inbox bucket as SES receiving stores the test
domain's mail (raw MIME under the inbox prefix, keyed by message id), where staging's `s3_inbox`
mailbox reads them."""
import json
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from stack.preview import INBOX_PREFIX
from support.preview.mailbox import S3Inbox
from tests.stack.processes import wait_until


def test_an_acknowledgement_is_received_into_the_inbox_bucket(platform):
    names = platform.settings["names"]
    user = f"TEST_inbox_{uuid.uuid4().hex[:8]}@example.test"
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = user, "TEST_inbox@edit.webordinary.test", "Site edit"
    email.set_content("Create page Inbox")
    sqs, s3 = platform.client("sqs"), platform.client("s3")
    queue = sqs.get_queue_url(QueueName=names["email_queue"])["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"messageId": user, "content": email.as_string()}))
    inbox = S3Inbox(s3, names["inbox_bucket"], INBOX_PREFIX)

    (mail,) = wait_until(lambda: inbox.messages_to(user), until=bool, within=20, describe="the acknowledgement")

    assert mail["subject"] == "Re: Site edit"
    assert "Conversation ID: thread-" in mail["body"]
    keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket=names["inbox_bucket"], Prefix=INBOX_PREFIX)["Contents"]]
    mine = [key for key in keys if user in s3.get_object(Bucket=names["inbox_bucket"], Key=key)["Body"].read().decode()]
    assert len(mine) == 1
    raw = BytesParser(policy=policy.default).parsebytes(
        s3.get_object(Bucket=names["inbox_bucket"], Key=mine[0])["Body"].read())
    # SES receiving keys the object by the message's id, which its Message-ID header carries too.
    assert raw["Message-ID"] == f"<{mine[0][len(INBOX_PREFIX):]}@email.amazonses.com>"
    assert (raw["From"], raw["To"]) == (names["sender"], user)
    assert inbox.remove_to(user) == 1
    assert inbox.messages_to(user) == []
