"""moto in server mode, provisioned with the AWS resources the contracts name.

Resources are a declarative list so that a new system adds its tables and queues here and
nowhere else.
"""
import json

from stack.settings import aws_client

PREVIEW_RESOURCES = {
    "tables": [
        ("sessions_table", "sessionId"),
        ("thread_table", "threadId"),
    ],
    "queues": [("email_queue", "email_dlq")],
    "buckets": ["preview_bucket", "inbox_bucket", "baseline_bucket"],
    "log_groups": ["hermes_log_group", "edit_log_group"],
    "email_identities": ["sender"],
}


def server_command(port):
    return ["-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def provision(settings, resources=PREVIEW_RESOURCES):
    names = settings["names"]
    dynamodb = aws_client(settings, "dynamodb")
    for table, key in resources["tables"]:
        dynamodb.create_table(
            TableName=names[table],
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    sqs = aws_client(settings, "sqs")
    for queue, dead_letter in resources["queues"]:
        dlq_url = sqs.create_queue(QueueName=names[dead_letter])["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
        sqs.create_queue(QueueName=names[queue], Attributes={"RedrivePolicy": policy})
    s3 = aws_client(settings, "s3")
    for bucket in resources["buckets"]:
        s3.create_bucket(Bucket=names[bucket])
    logs = aws_client(settings, "logs")
    for group in resources["log_groups"]:
        logs.create_log_group(logGroupName=names[group])
    ses = aws_client(settings, "ses")
    for identity in resources["email_identities"]:
        ses.verify_email_identity(EmailAddress=names[identity])
