"""Emailing the platform as a site owner would: raw RFC 822 messages on the email queue (what SES
delivers through SNS), thread mappings, and the dead-letter queue where unreadable mail is set aside."""
import json
import uuid
from email.message import EmailMessage

from support.waits import eventually

MAX_DRAIN_ROUNDS = 10


class EmailClient:
    def __init__(self, aws, profile, preview, interval):
        self.preview = preview
        self.sqs = aws("sqs")
        self.dynamodb = aws("dynamodb")
        self.names = profile.area("preview")["names"]
        self.recipient = profile.area("preview")["email"]["recipient"]
        self.interval = interval
        self._urls = {}

    def _url(self, key):
        if key not in self._urls:
            self._urls[key] = self.sqs.get_queue_url(QueueName=self.names[key])["QueueUrl"]
        return self._urls[key]

    def send(self, client_id, user_id, text, subject="Site edit", conversation=None):
        """Sends an email from `user_id` to the client's editing address; returns its message id."""
        message = EmailMessage()
        message_id = f"{uuid.uuid4().hex}@{user_id.split('@')[-1]}"
        message["From"], message["To"] = user_id, self.recipient.format(client=client_id)
        message["Subject"] = f"Re: {subject}" if conversation else subject
        message["Message-ID"] = f"<{message_id}>"
        body = text
        if conversation:
            body += f"\n\n> We are applying your instruction.\n> Conversation ID: {conversation}\n"
        message.set_content(body)
        self.send_raw({"messageId": message_id, "content": message.as_string()})
        return message_id

    def send_raw(self, envelope):
        self.sqs.send_message(QueueUrl=self._url("email_queue"), MessageBody=json.dumps(envelope))

    def wait_for_conversation(self, client_id, within, on_created):
        """(session, thread id) once the client's emailed instruction has a session mapped to its thread."""
        def probe():
            for item in self.preview.store.sessions_of(client_id):
                mapping = self.thread_mapping(item.get("threadId", ""))
                if mapping and mapping["sessionId"] == item["sessionId"]:
                    return item
            return None

        item = eventually(probe, until=bool, within=within,
                          describe=f"a session of {client_id} mapped to its email conversation", interval=self.interval)
        return self.preview.adopt(item, on_created), item["threadId"]

    def thread_mapping(self, thread_id):
        item = self.dynamodb.get_item(TableName=self.names["thread_table"], Key={"threadId": {"S": thread_id}},
                                      ConsistentRead=True).get("Item")
        return {key: value["S"] for key, value in item.items()} if item else None

    def set_aside(self, marker, within):
        """The dead-letter messages whose body carries `marker`, each with its `reason` (read, then deleted)."""
        found = eventually(
            lambda: self._take(self._url("email_dlq"), marker),
            until=bool,
            within=within,
            describe=f"a message marked {marker} on the dead-letter queue",
            interval=self.interval,
        )
        return [{"body": m["Body"], "reason": m.get("MessageAttributes", {}).get("reason", {}).get("StringValue")}
                for m in found]

    def discard(self, marker):
        """Cleanup: removes this scenario's messages and thread mappings, wherever they ended up."""
        for item in self.preview.store.sessions_of(marker):
            if item.get("threadId"):
                self.dynamodb.delete_item(TableName=self.names["thread_table"],
                                          Key={"threadId": {"S": item["threadId"]}})
        for key in ("email_queue", "email_dlq"):
            for _ in range(MAX_DRAIN_ROUNDS):
                if not self._take(self._url(key), marker, visibility=0):
                    break

    def _take(self, url, marker, visibility=None):
        options = {"VisibilityTimeout": visibility} if visibility is not None else {}
        answer = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                          **options)
        mine = [m for m in answer.get("Messages", []) if marker in m["Body"]]
        for message in mine:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return mine
