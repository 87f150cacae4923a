"""False-positive events in the `fp-events` table, as the contract lays them out.

An event is `pk = rule#{ruleId}`, `sk = event#{time}#{eventId}`; a marker item
`sk = eventid#{eventId}` is written in the same transaction with a condition, which is what makes
the same event with another timestamp a duplicate too (the event's own key includes the time).
"""
import time
from collections import Counter

from botocore.exceptions import ClientError

from stack.guardian import validation as v
from stack.guardian.items import from_item, query_all, to_item
from stack.guardian.resources import INDEX, TTL_ATTRIBUTE

RETENTION_S = 90 * 24 * 3600
HIDDEN = {"pk", "sk", "gsi1pk", "gsi1sk"}
EVENT_FIELDS = ("eventId", "ruleId", "ruleVersion", "findingId", "outcome", "isFalsePositive", "timestamp",
                "context")


def check_event(body):
    """The event as it will be stored, or Refused naming the first wrong field."""
    v.mapping(body, "body")
    event = {
        "eventId": v.identifier(body.get("eventId"), "eventId"),
        "ruleId": v.identifier(body.get("ruleId"), "ruleId"),
        "ruleVersion": v.text(body.get("ruleVersion"), "ruleVersion"),
        "findingId": v.identifier(body.get("findingId"), "findingId"),
        "outcome": v.text(body.get("outcome"), "outcome"),
        "isFalsePositive": v.boolean(body.get("isFalsePositive"), "isFalsePositive"),
        "timestamp": v.instant(body.get("timestamp"), "timestamp"),
        "context": v.mapping(body.get("context", {}), "context"),
    }
    unknown = sorted(set(body) - set(EVENT_FIELDS) - {"reviewedBy"})
    if unknown:
        raise v.invalid(unknown[0], "is not a field of an event")
    if body.get("reviewedBy") is not None:
        event["reviewedBy"] = v.text(body["reviewedBy"], "reviewedBy")
        event["reviewedAt"] = v.now_iso()
    if event["isFalsePositive"] and "reviewedBy" not in event:
        raise v.invalid("reviewedBy", "is required when isFalsePositive is true")
    return event


def _rate(part, whole):
    return part / whole if whole else 0


def statistics(events, fault):
    false_positives = sum(1 for e in events if e.get("isFalsePositive"))
    reviewed = sum(1 for e in events if e.get("reviewedBy"))
    pending = len(events) - reviewed
    if fault("pending_counts_reviewed"):
        pending -= reviewed
    true_positives = reviewed - false_positives
    return {
        "total": false_positives + true_positives + pending,
        "falsePositives": false_positives,
        "truePositives": true_positives,
        "pending": pending,
        "observedFPR": _rate(false_positives,
                             len(events) if fault("false_positive_rate_over_all_events") else reviewed),
    }


class Events:
    def __init__(self, dynamodb, table, fault):
        self.dynamodb, self.table, self.fault = dynamodb, table, fault

    def _item(self, event):
        item = {
            **event,
            "pk": f"rule#{event['ruleId']}",
            "sk": f"event#{event['timestamp']}#{event['eventId']}",
            "gsi1pk": f"finding#{event['findingId']}",
            "gsi1sk": f"rule#{event['ruleId']}#{event['timestamp']}",
        }
        expiry = int(time.time()) + RETENTION_S
        item["ttl" if self.fault("expiry_in_other_attribute") else TTL_ATTRIBUTE] = expiry
        return item

    def record(self, body):
        if self.fault("malformed_event_stored") and isinstance(body, dict) and body.get("ruleId"):
            self._store_unchecked(body)
        item = self._item(check_event(body))
        if self.fault("duplicate_event_accepted"):
            self.dynamodb.put_item(TableName=self.table, Item=to_item(item))
            return self._shown(item)
        if self.fault("duplicate_other_timestamp_accepted"):
            return self._put_once(item)
        if self.fault("refused_duplicate_overwrites"):
            self.dynamodb.put_item(TableName=self.table, Item=to_item(item))
        marker = {"pk": item["pk"], "sk": f"eventid#{item['eventId']}", TTL_ATTRIBUTE: item.get(TTL_ATTRIBUTE)}
        if self.fault("repeat_written_before_check"):
            return self._write_then_check(item, marker)
        try:
            self.dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.table, "Item": to_item(marker),
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": self.table, "Item": to_item(item)}},
            ])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                raise v.conflict(f"event {item['eventId']} of rule {item['ruleId']} is already recorded") from None
            raise
        return self._shown(item)

    def _write_then_check(self, item, marker):
        """The `repeat_written_before_check` defect: the event is written, then its marker refuses a repeat."""
        self.dynamodb.put_item(TableName=self.table, Item=to_item(item))
        try:
            self.dynamodb.put_item(TableName=self.table, Item=to_item(marker),
                                   ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise v.conflict(f"event {item['eventId']} of rule {item['ruleId']} is already recorded") from None
            raise
        return self._shown(item)

    def _put_once(self, item):
        try:
            self.dynamodb.put_item(TableName=self.table, Item=to_item(item),
                                   ConditionExpression="attribute_not_exists(sk)")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise v.conflict(f"event {item['eventId']} of rule {item['ruleId']} is already recorded") from None
            raise
        return self._shown(item)

    def _store_unchecked(self, body):
        raw = {key: value for key, value in body.items() if isinstance(value, (str, bool, dict))}
        self.dynamodb.put_item(TableName=self.table, Item=to_item({
            **raw, "pk": f"rule#{body['ruleId']}", "sk": f"event#{body.get('timestamp')}#{body.get('eventId')}"}))

    @staticmethod
    def _shown(item):
        return {key: value for key, value in item.items() if key not in HIDDEN}

    def window(self, rule_id, count=None, since=None):
        request = {"TableName": self.table, "ScanIndexForward": self.fault("events_oldest_first"),
                   "ExpressionAttributeValues": to_item({":pk": f"rule#{rule_id}"})}
        if since and not self.fault("window_since_ignored"):
            request["KeyConditionExpression"] = "pk = :pk AND sk BETWEEN :from AND :to"
            request["ExpressionAttributeValues"].update(to_item({":from": f"event#{since}", ":to": "event#~"}))
        else:
            request["KeyConditionExpression"] = "pk = :pk AND begins_with(sk, :events)"
            request["ExpressionAttributeValues"].update(to_item({":events": "event#"}))
            count = count or 100
        if self.fault("window_fetched_one_by_one"):
            request.update(Limit=1, ProjectionExpression="pk, sk")
            keys = query_all(self.dynamodb, limit=count, **request)
            found = [self.dynamodb.get_item(TableName=self.table, Key=key)["Item"] for key in keys]
        else:
            found = query_all(self.dynamodb, limit=count, **request)
        events = [self._shown(from_item(item)) for item in found]
        versions = Counter(event.get("ruleVersion") for event in events)
        return {
            "ruleId": rule_id,
            "ruleVersion": versions.most_common(1)[0][0] if events else None,
            "windowSize": len(events),
            "events": events,
            "statistics": statistics(events, self.fault),
        }

    def _of_finding(self, finding_id, key="finding#{}"):
        return query_all(self.dynamodb, TableName=self.table, IndexName=INDEX,
                         KeyConditionExpression="gsi1pk = :finding",
                         ExpressionAttributeValues=to_item({":finding": key.format(finding_id)}))

    def finding(self, finding_id, rule_id=None):
        key = "finding:{}" if self.fault("finding_looked_up_by_other_key") else "finding#{}"
        events = [from_item(item) for item in self._of_finding(finding_id, key)]
        if rule_id:
            events = [event for event in events if event.get("ruleId") == rule_id]
        return {"findingId": finding_id, "isFalsePositive": any(event.get("isFalsePositive") for event in events)}

    def mark_false_positive(self, finding_id, reviewed_by):
        found = self._of_finding(finding_id)
        if not found:
            raise v.not_found(f"no event records finding {finding_id}")
        reviewed_at = v.now_iso()
        update, values = "SET isFalsePositive = :yes, reviewedBy = :who, reviewedAt = :when", \
            {":yes": True, ":who": reviewed_by, ":when": reviewed_at}
        if self.fault("reviewer_not_recorded"):
            update, values = "SET isFalsePositive = :yes", {":yes": True}
        for item in found:
            self.dynamodb.update_item(TableName=self.table, Key={"pk": item["pk"], "sk": item["sk"]},
                                      UpdateExpression=update, ExpressionAttributeValues=to_item(values))
        return {"findingId": finding_id, "reviewedBy": reviewed_by, "reviewedAt": reviewed_at}
