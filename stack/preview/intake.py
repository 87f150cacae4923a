"""Hermes's email intake: instructions that arrive as email on the SQS queue.

A message is `{messageId, content: <raw RFC 822 email>}`, or an SNS notification whose `Message`
holds that JSON. The email's body is the instruction; a `Conversation ID:` line, or an
`In-Reply-To`/`References` header naming `thread-…@`, continues a conversation. A message that
cannot be read goes to the dead-letter queue with its reason, and the consumer carries on.

Each acknowledgement is sent through SES (moto keeps it) and then received as the test domain's
inbound mail is on AWS: SES receiving stores the raw MIME message in the inbox bucket under the
inbox prefix, keyed by its message id.
"""
import asyncio
import json
import re
import time
import traceback
from email import policy
from email.message import EmailMessage
from email.parser import Parser
from email.utils import formatdate, parseaddr

from botocore.exceptions import BotoCoreError, ClientError

from stack import faults
from stack.preview import INBOX_PREFIX
from stack.preview.web import valid_id
from stack.settings import aws_client

CONVERSATION = re.compile(r"^[\s>]*Conversation ID:\s*(thread-[0-9a-f]{8})\s*$", re.IGNORECASE | re.MULTILINE)
THREAD_HEADER = re.compile(r"(thread-[0-9a-f]{8})@")
POLL_WAIT_S = 1
# A reply can arrive while its conversation's first instruction is still running.
ACTIVE_WITHIN_S = 30.0
# The reason the `malformed_email_set_aside_without_reason` defect gives: true of every unreadable message.
VAGUE_REASON = "message could not be processed"


class Unreadable(ValueError):
    """A message the intake cannot turn into an instruction; the text is the reason the DLQ keeps."""


class Email:
    def __init__(self, message_id, client_id, user_id, subject, instruction, thread_id):
        self.message_id, self.client_id, self.user_id = message_id, client_id, user_id
        self.subject, self.instruction, self.thread_id = subject, instruction, thread_id


def read_message(body):
    """The Email in an SQS message body; raises Unreadable with the reason."""
    try:
        envelope = json.loads(body)
    except ValueError:
        raise Unreadable("message body is not JSON") from None
    if isinstance(envelope, dict) and envelope.get("Type") == "Notification":
        try:
            envelope = json.loads(envelope.get("Message", ""))
        except ValueError:
            raise Unreadable("SNS notification's Message is not JSON") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("content"), str):
        raise Unreadable("message has no email content")
    return parse_email(envelope.get("messageId") or "unknown", envelope["content"])


def parse_email(message_id, raw):
    message = Parser(policy=policy.default).parsestr(raw)
    sender = parseaddr(str(message.get("From", "")))[1]
    recipient = parseaddr(str(message.get("To", "")))[1]
    if not sender or not recipient:
        raise Unreadable("email has no sender or no recipient")
    client_id, user_id = recipient.split("@", 1)[0], sender
    for name, value in (("recipient", client_id), ("sender", user_id)):
        if not valid_id(value):
            raise Unreadable(f"email {name} {value!r} is not a valid id")
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise Unreadable("email has no plain-text body")
    text = part.get_content()
    instruction = "\n".join(
        line for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(">") and not CONVERSATION.match(line)
    ).strip()
    if not instruction:
        raise Unreadable("email body holds no instruction")
    return Email(message_id, client_id, user_id, str(message.get("Subject", "")), instruction,
                 _thread_of(text, message))


def _thread_of(text, message):
    if match := CONVERSATION.search(text):
        return match.group(1)
    for header in ("In-Reply-To", "References"):
        if match := THREAD_HEADER.search(str(message.get(header, ""))):
            return match.group(1)
    return None


class EmailIntake:
    def __init__(self, hermes):
        self.hermes = hermes
        self.settings = hermes.settings
        self.names = hermes.names
        self.sqs = aws_client(self.settings, "sqs")
        self.ses = aws_client(self.settings, "ses")
        self.s3 = aws_client(self.settings, "s3")
        self.ddb = hermes.ddb
        self._queue_urls = None

    def _fault(self, name):
        return faults.active(self.settings, name)

    def _urls(self):
        if self._queue_urls is None:
            self._queue_urls = tuple(self.sqs.get_queue_url(QueueName=self.names[key])["QueueUrl"]
                                     for key in ("email_queue", "email_dlq"))
        return self._queue_urls

    async def run(self):
        """Long-polls the queue for as long as Hermes runs; nothing a message holds can stop it."""
        while True:
            try:
                queue, _ = await asyncio.to_thread(self._urls)
                answer = await asyncio.to_thread(self.sqs.receive_message, QueueUrl=queue,
                                                 MaxNumberOfMessages=10, WaitTimeSeconds=POLL_WAIT_S)
            except (BotoCoreError, ClientError) as exc:
                print(f"email intake: {exc}", flush=True)
                await asyncio.sleep(POLL_WAIT_S)
                continue
            for message in answer.get("Messages", []):
                try:
                    await self.handle(message)
                except Unreadable:
                    if self._fault("consumer_stops_after_malformed"):
                        return
                except Exception:
                    traceback.print_exc()

    async def handle(self, message):
        queue, dead_letters = await asyncio.to_thread(self._urls)
        try:
            email = read_message(message["Body"])
        except Unreadable as reason:
            if self._fault("malformed_email_set_aside_without_reason"):
                reason = Unreadable(VAGUE_REASON)
            if not self._fault("malformed_email_dropped"):
                await asyncio.to_thread(
                    self.sqs.send_message, QueueUrl=dead_letters, MessageBody=message["Body"],
                    MessageAttributes={"reason": {"DataType": "String", "StringValue": str(reason)}})
            await asyncio.to_thread(self.sqs.delete_message, QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            print(f"email intake: set aside a message: {reason}", flush=True)
            raise
        await self.start(email)
        await asyncio.to_thread(self.sqs.delete_message, QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])

    async def start(self, email):
        """Continues the email's conversation, or starts one, then acknowledges it to the sender."""
        if self._fault("email_subject_taken_as_instruction"):
            email.instruction = email.subject
        if self._fault("reply_starts_new_conversation"):
            email.thread_id = None
        if self._fault("reply_sender_normalised") and email.thread_id:
            email.user_id = email.user_id.lower()
        live = self._live_session(email.thread_id, email.user_id)
        if live:
            await self._wait_active(live)
            session = live
            self.hermes.background.start(self.hermes.instruct(live, email.instruction))
        else:
            body = {"clientId": email.client_id, "userId": email.user_id, "instruction": email.instruction}
            session, refusal = await self.hermes.admit(body, thread_id=email.thread_id)
            if refusal:
                print(f"email intake: {email.message_id} refused: {refusal.text}", flush=True)
                return
            if self._fault("email_session_forgotten"):
                self.hermes.sessions.pop(session.id, None)
        thread_id = session.item["threadId"]
        await asyncio.to_thread(self.hermes.log.put,
                                f"Processing email message={email.message_id} session={session.id} thread={thread_id}")
        if not self._fault("email_thread_not_mapped"):
            await asyncio.to_thread(self._map_thread, thread_id, session)
        await asyncio.to_thread(self._acknowledge, email, session, thread_id)

    def _live_session(self, thread_id, sender):
        """The conversation's session while it still runs; only its own sender can continue it."""
        if not thread_id:
            return None
        return next((s for s in self.hermes.sessions.values()
                     if s.item["threadId"] == thread_id and s.item["userId"] == sender
                     and s.item["status"] in ("initializing", "active")), None)

    async def _wait_active(self, session):
        deadline = time.monotonic() + ACTIVE_WITHIN_S
        while session.item["status"] == "initializing" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    def _map_thread(self, thread_id, session):
        item = {"threadId": thread_id, "sessionId": session.id, "containerId": session.task_arn or "",
                "status": "active", "createdAt": session.item["createdAt"]}
        self.ddb.put_item(TableName=self.names["thread_table"], Item={k: {"S": v} for k, v in item.items()})

    def _acknowledge(self, email, session, thread_id):
        lines = ["We are applying your instruction:", f"  {email.instruction}", "",
                 f"Preview: {session.item['previewUrl']}", ""]
        if not self._fault("acknowledgement_without_conversation_id"):
            lines.append(f"Conversation ID: {thread_id}")
        lines.append("Reply to this email to continue the conversation.")
        subject, body = f"Re: {email.subject}", "\n".join(lines)
        reply_to = f"{email.client_id}@{self.names['sender'].split('@', 1)[1]}"
        sent = self.ses.send_email(
            Source=self.names["sender"],
            Destination={"ToAddresses": [email.user_id]},
            Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": body}}},
            ReplyToAddresses=[reply_to],
        )
        self._receive(sent["MessageId"], email.user_id, subject, body, reply_to)

    def _receive(self, message_id, recipient, subject, body, reply_to):
        """What SES receiving does with a message for the test domain: its raw MIME in the inbox bucket."""
        message = EmailMessage()
        message["Return-Path"] = f"<{self.names['sender']}>"
        message["From"], message["To"], message["Reply-To"] = self.names["sender"], recipient, reply_to
        message["Subject"], message["Date"] = subject, formatdate(usegmt=True)
        message["Message-ID"] = f"<{message_id}@email.amazonses.com>"
        message.set_content(body)
        self.s3.put_object(Bucket=self.names["inbox_bucket"], Key=f"{INBOX_PREFIX}{message_id}",
                           Body=message.as_bytes())
