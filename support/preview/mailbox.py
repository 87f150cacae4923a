"""Reading the mail the platform sends back, on each target.

Locally SES is moto, which keeps every message it "sends" and shows them on its introspection
endpoint; on staging the test domain's inbound mail lands in an S3 bucket as raw RFC 822 objects.
"""
from email import policy
from email.parser import BytesParser

import httpx

from support.waits import eventually


class MotoOutbox:
    def __init__(self, aws_endpoint):
        self.url = f"{aws_endpoint.rstrip('/')}/moto-api/data.json"

    def messages_to(self, address):
        data = httpx.get(self.url, timeout=10).json()
        return [{"subject": m.get("subject", ""), "body": m.get("body", "")}
                for m in data.get("ses", {}).get("Message", [])
                if address in m.get("destinations", {}).get("ToAddresses", [])]


class S3Inbox:
    def __init__(self, s3, bucket, prefix):
        self.s3, self.bucket, self.prefix = s3, bucket, prefix or ""

    def messages_to(self, address):
        found = []
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                raw = self.s3.get_object(Bucket=self.bucket, Key=obj["Key"])["Body"].read()
                message = BytesParser(policy=policy.default).parsebytes(raw)
                if address in str(message.get("To", "")):
                    body = message.get_body(preferencelist=("plain",))
                    found.append({"subject": str(message.get("Subject", "")),
                                  "body": body.get_content() if body else ""})
        return found


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


def mailbox_for(profile, aws):
    email = profile.area("preview")["email"]
    interval = profile.interval
    if email["mailbox"] == "moto_outbox":
        return Mailbox(MotoOutbox(profile["aws"]["endpoint"]), interval)
    return Mailbox(S3Inbox(aws("s3"), email["inbox_bucket"], email.get("inbox_prefix")), interval)
