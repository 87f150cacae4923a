"""What the guardian stored, read straight from its AWS resources (as against staging), for the
evidence the API does not show (keys, expiry attributes, hashes, parameter versions, encryption)
and for cleanup. Reads use the deployment's own names; writes are deletions of the run's items only.
"""
import hashlib

from boto3.dynamodb.types import TypeDeserializer

from support.guardian.resources import resource_names

_DESERIALIZER = TypeDeserializer()


def _plain(item):
    return {key: _DESERIALIZER.deserialize(value) for key, value in item.items()}


def hashed(org_id):
    """How the contract stores an organisation: the SHA-256 of its id, in hex."""
    return hashlib.sha256(org_id.encode()).hexdigest()


class GuardianStore:
    def __init__(self, aws, project, env):
        self.aws = aws
        self.names = resource_names(project, env)
        self.nonce_prefix = self.names["nonce"][:-1]

    @property
    def _dynamodb(self):
        return self.aws("dynamodb")

    def ttl_attribute(self, table_key):
        """The attribute the table expires items by, as DynamoDB reports it (None when TTL is off)."""
        found = self._dynamodb.describe_time_to_live(TableName=self.names[table_key])["TimeToLiveDescription"]
        return found.get("AttributeName") if found.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None

    def _query(self, table_key, **request):
        items, paginator = [], self._dynamodb.get_paginator("query")
        for page in paginator.paginate(TableName=self.names[table_key], **request):
            items += [_plain(item) for item in page["Items"]]
        return items

    def _scan(self, table_key, **request):
        items, paginator = [], self._dynamodb.get_paginator("scan")
        for page in paginator.paginate(TableName=self.names[table_key], **request):
            items += [_plain(item) for item in page["Items"]]
        return items

    def rule_items(self, rule_id):
        """Every item stored under the rule's partition (its events and their markers)."""
        return self._query("fp_events", KeyConditionExpression="pk = :pk",
                           ExpressionAttributeValues={":pk": {"S": f"rule#{rule_id}"}}, ConsistentRead=True)

    def event_item(self, rule_id, event_id):
        found = [item for item in self.rule_items(rule_id)
                 if item.get("eventId") == event_id and str(item["sk"]).startswith("event#")]
        return found[0] if len(found) == 1 else None

    def consent_item(self, key):
        answer = self._dynamodb.get_item(TableName=self.names["consent"], Key={"orgId": {"S": key}},
                                         ConsistentRead=True)
        return _plain(answer["Item"]) if "Item" in answer else None

    def breaker_buckets(self, *ids):
        """Block-counter items whose key contains every one of `ids` (ids carry the run's namespace)."""
        conditions = " AND ".join(f"contains(bucketKey, :id{n})" for n in range(len(ids)))
        return self._scan("block_counter", FilterExpression=conditions, ConsistentRead=True,
                          ExpressionAttributeValues={f":id{n}": {"S": value} for n, value in enumerate(ids)})

    def nonce_versions(self):
        """{parameter name: SSM version number} of every nonce parameter; values are never read."""
        found, paginator = {}, self.aws("ssm").get_paginator("describe_parameters")
        filters = [{"Key": "Name", "Option": "BeginsWith", "Values": [self.nonce_prefix]}]
        for page in paginator.paginate(ParameterFilters=filters):
            found.update({p["Name"]: p["Version"] for p in page["Parameters"]})
        return found

    def baseline_encryption(self, repo_id):
        """{version id: server-side encryption} of every stored version of the repository's baseline."""
        s3, key = self.aws("s3"), f"baselines/{repo_id}.json"
        found = {}
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=self.names["baselines"], Prefix=key):
            for version in page.get("Versions", []):
                if version["Key"] == key:
                    head = s3.head_object(Bucket=self.names["baselines"], Key=key, VersionId=version["VersionId"])
                    found[version["VersionId"]] = head.get("ServerSideEncryption")
        return found

    # -- cleanup -----------------------------------------------------------------------------------

    def _delete(self, table_key, keys):
        for key in keys:
            self._dynamodb.delete_item(TableName=self.names[table_key], Key=key)
        return len(keys)

    def delete_rule(self, rule_id):
        return self._delete("fp_events", [{"pk": {"S": item["pk"]}, "sk": {"S": item["sk"]}}
                                          for item in self.rule_items(rule_id)])

    def delete_consent(self, org_id):
        return self._delete("consent", [{"orgId": {"S": key}} for key in (hashed(org_id), org_id)
                                        if self.consent_item(key) is not None])

    def delete_buckets(self, *ids):
        return self._delete("block_counter", [{"bucketKey": {"S": item["bucketKey"]}}
                                              for item in self.breaker_buckets(*ids)])

    def delete_baseline(self, repo_id):
        s3, key, removed = self.aws("s3"), f"baselines/{repo_id}.json", 0
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=self.names["baselines"], Prefix=key):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in page.get("Versions", []) + page.get("DeleteMarkers", []) if v["Key"] == key]
            if doomed:
                s3.delete_objects(Bucket=self.names["baselines"], Delete={"Objects": doomed, "Quiet": True})
                removed += len(doomed)
        return removed

    def sweep(self, prefix, organisations=()):
        """Removes everything of the namespace `prefix`; consent is found only through the ids granted."""
        events = self._scan("fp_events", FilterExpression="begins_with(pk, :rule)",
                            ExpressionAttributeValues={":rule": {"S": f"rule#{prefix}"}})
        keys = [{"pk": {"S": item["pk"]}, "sk": {"S": item["sk"]}} for item in events]
        removed = {"event items": self._delete("fp_events", keys)}
        removed["breaker buckets"] = self.delete_buckets(prefix)
        removed["consent items"] = sum(self.delete_consent(org) for org in organisations)
        s3, bucket = self.aws("s3"), self.names["baselines"]
        repos = set()
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=f"baselines/{prefix}"):
            repos |= {v["Key"][len("baselines/"):-len(".json")] for v in page.get("Versions", [])
                      + page.get("DeleteMarkers", [])}
        removed["baseline versions"] = sum(self.delete_baseline(repo) for repo in repos)
        return removed
