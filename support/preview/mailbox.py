"""Reading the mail the platform sends back, on each target.

Locally SES is moto, which keeps every message it "sends" and shows them on its introspection
endpoint; on staging the test domain's inbound mail lands in an S3 bucket as raw RFC 822 objects.
"""
from email import policy
from email.parser import BytesParser

import httpx

from support.waits import eventually


class MotoOutbox:
    def __init__(self, aws_endpoint, calls=None):
        self.url = f"{aws_endpoint.rstrip('/')}/moto-api/data.json"
        self.calls = calls

    def messages_to(self, address):
        if self.calls:
            self.calls.record("mailbox", "read")
        data = httpx.get(self.url, timeout=10).json()
        return [{"subject": m.get("subject", ""), "body": m.get("body", "")}
                for m in data.get("ses", {}).get("Message", [])
                if address in m.get("destinations", {}).get("ToAddresses", [])]


class S3Inbox:
    """SES receiving stores each message under the prefix, keyed by its message id: a recipient is
    found only inside the message, so each one is read (and remembered, as it never changes)."""

    def __init__(self, s3, bucket, prefix):
        self.s3, self.bucket, self.prefix = s3, bucket, prefix or ""
        self._read = {}

    def _messages(self):
        """(key, parsed message) of every message in the inbox."""
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        for key in keys:
            if key not in self._read:
                raw = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                self._read[key] = BytesParser(policy=policy.default).parsebytes(raw)
        return [(key, self._read[key]) for key in keys]

    def messages_to(self, address):
        found = []
        for _, message in self._messages():
            if address in str(message.get("To", "")):
                body = message.get_body(preferencelist=("plain",))
                found.append({"subject": str(message.get("Subject", "")), "body": body.get_content() if body else ""})
        return found

    def remove_to(self, prefix):
        """Deletes the messages to recipients whose address starts with `prefix`; returns how many."""
        mine = [key for key, message in self._messages() if str(message.get("To", "")).startswith(prefix)]
        for start in range(0, len(mine), 1000):
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in mine[start:start + 1000]]})
        for key in mine:
            self._read.pop(key, None)
        return len(mine)


class Mailbox:
    def __init__(self, reader, interval):
        self.reader, self.interval = reader, interval

    def wait_for_mail(self, address, containing, within):
        """The first message to `address` whose body contains `containing`."""
        messages = eventually(
            lambda: self.reader.messages_to(address),
            until=lambda found: any(containing in m["body"] for m in found),
            within=within,
            describe=f"an email to {address} containing {containing!r}",
            interval=self.interval,
        )
        return next(m for m in messages if containing in m["body"])

    def mail_to(self, address):
        return self.reader.messages_to(address)

    def remove_to(self, prefix):
        """Sweeps the run's mail where it stays (an inbox bucket); moto's outbox keeps nothing of ours."""
        return self.reader.remove_to(prefix) if hasattr(self.reader, "remove_to") else 0


def mailbox_for(profile, aws, calls=None):
    """The profile's mailbox; `calls` counts moto's outbox reads (the S3 inbox's are counted on its client)."""
    email = profile.area("preview")["email"]
    interval = profile.interval
    if email["mailbox"] == "moto_outbox":
        return Mailbox(MotoOutbox(profile["aws"]["endpoint"], calls), interval)
    return Mailbox(S3Inbox(aws("s3"), email["inbox_bucket"], email.get("inbox_prefix")), interval)
