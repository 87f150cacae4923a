"""The circuit breaker's counts in the `block-counter` table: one item per rule, organisation and
hour, incremented with an atomic ADD and expired through the table's TTL attribute.

Each id is percent-encoded before joining with ':', because ids may contain ':' themselves and
rule `a:b` of organisation `c` must not share a bucket with rule `a` of organisation `b:c`.

moto's threaded server applies concurrent updates to one item without a lock (10 parallel ADDs
were seen to give 9), so this process also serialises increments of one bucket; against DynamoDB
the ADD alone is atomic.
"""
import asyncio
import time
from collections import defaultdict
from datetime import datetime, timezone
from urllib.parse import quote

from stack.guardian.items import to_item
from stack.guardian.resources import TTL_ATTRIBUTE

HOUR_S = 3600
# Long enough that ten parallel calls always overlap in the read-then-write fault.
LOST_UPDATE_WINDOW_S = 0.3


def _part(value):
    return quote(value, safe="")


class Circuit:
    def __init__(self, dynamodb, table, fault):
        self.dynamodb, self.table, self.fault = dynamodb, table, fault
        self._locks = defaultdict(asyncio.Lock)

    def bucket_key(self, rule_id, org_id, now=None, reading=False):
        hour = datetime.fromtimestamp(now or time.time(), timezone.utc).strftime("%Y-%m-%dT%H")
        if self.fault("breaker_trips_every_organisation"):
            return f"{_part(rule_id)}:{hour}"
        if self.fault("breaker_counts_per_organisation"):
            return f"{_part(org_id)}:{hour}"
        if self.fault("breaker_keys_collide") or (reading and self.fault("breaker_reads_unescaped_key")):
            return f"{rule_id}:{org_id}:{hour}"
        return f"{_part(rule_id)}:{_part(org_id)}:{hour}"

    @staticmethod
    def _expiry(now):
        """The end of the bucket's hour plus one hour, so the previous hour stays readable."""
        return int(now // HOUR_S * HOUR_S + 2 * HOUR_S)

    async def increment(self, rule_id, org_id):
        now = time.time()
        key = self.bucket_key(rule_id, org_id, now)
        if self.fault("increments_lost_under_concurrency"):
            return await self._read_then_write(key, now)
        update, values = "ADD #count :one", {":one": 1}
        if not self.fault("breaker_bucket_without_expiry"):
            update += " SET #expires = :expires"
            values[":expires"] = self._expiry(now)
        names = {"#count": "count", **({"#expires": TTL_ATTRIBUTE} if ":expires" in values else {})}
        async with self._locks[key]:
            answer = await asyncio.to_thread(
                self.dynamodb.update_item, TableName=self.table, Key=to_item({"bucketKey": key}),
                UpdateExpression=update, ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values), ReturnValues="UPDATED_NEW")
        return {"count": int(answer["Attributes"]["count"]["N"])}

    async def _read_then_write(self, key, now):
        count = await asyncio.to_thread(self._count, key)
        await asyncio.sleep(LOST_UPDATE_WINDOW_S)
        await asyncio.to_thread(self.dynamodb.put_item, TableName=self.table, Item=to_item(
            {"bucketKey": key, "count": count + 1, TTL_ATTRIBUTE: self._expiry(now)}))
        return {"count": count + 1}

    def _count(self, key):
        item = self.dynamodb.get_item(TableName=self.table, Key=to_item({"bucketKey": key}), ConsistentRead=True)
        return int(item["Item"]["count"]["N"]) if "Item" in item else 0

    def state(self, rule_id, org_id, threshold):
        count = self._count(self.bucket_key(rule_id, org_id, reading=True))
        broken = count > threshold if self.fault("breaker_trips_above_threshold") else count >= threshold
        return {"count": count, "broken": broken}
