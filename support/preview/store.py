"""The session table as the platform leaves it: items by session, by client or user."""
from boto3.dynamodb.types import TypeDeserializer

from support.waits import eventually


def _plain(item):
    deserialize = TypeDeserializer().deserialize
    return {key: deserialize(value) for key, value in item.items()}


class SessionStore:
    def __init__(self, dynamodb, table, interval):
        self.dynamodb, self.table, self.interval = dynamodb, table, interval

    def item(self, session_id):
        item = self.dynamodb.get_item(TableName=self.table, Key={"sessionId": {"S": session_id}},
                                      ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def task_arn(self, session):
        return (self.item(session.id) or {}).get("fargateTaskArn")

    def wait_until_recorded(self, session, within):
        return eventually(
            lambda: self.item(session.id),
            until=lambda item: item is not None,
            within=within,
            describe=f"session {session.id} to be in the session table",
            interval=self.interval,
        )

    def sessions_of(self, *identities):
        """Every session item whose client or user is one of `identities`."""
        paginator = self.dynamodb.get_paginator("scan")
        found = []
        for name in identities:
            pages = paginator.paginate(
                TableName=self.table,
                FilterExpression="clientId = :n OR userId = :n",
                ExpressionAttributeValues={":n": {"S": name}},
                ConsistentRead=True,
            )
            found += [_plain(item) for page in pages for item in page["Items"]]
        return found

    def delete(self, session_id, thread_table=None):
        """Removes the session's item and, with `thread_table`, its conversation's thread mapping (which
        names no client, so the sweep by namespace could not find it once the session is gone)."""
        if thread_table:
            thread = (self.item(session_id) or {}).get("threadId")
            if thread:
                self.dynamodb.delete_item(TableName=thread_table, Key={"threadId": {"S": thread}})
        self.dynamodb.delete_item(TableName=self.table, Key={"sessionId": {"S": session_id}})
