"""Drift baselines as versioned, encrypted objects `baselines/{repoId}.json` in the baselines bucket."""
import json

from botocore.exceptions import ClientError

from stack.guardian import validation as v


class Baselines:
    def __init__(self, s3, bucket, fault):
        self.s3, self.bucket, self.fault = s3, bucket, fault

    @staticmethod
    def _key(repo_id):
        return f"baselines/{repo_id}.json"

    def store(self, repo_id, document):
        encryption = {} if self.fault("baselines_unencrypted") else {"ServerSideEncryption": "aws:kms"}
        answer = self.s3.put_object(Bucket=self.bucket, Key=self._key(repo_id), Body=json.dumps(document).encode(),
                                    ContentType="application/json", **encryption)
        return {"versionId": answer.get("VersionId", "null")}

    def latest(self, repo_id):
        first = {}
        if self.fault("baseline_returns_oldest"):
            versions = self.versions(repo_id)
            first = {"VersionId": versions[-1]["versionId"]} if versions else {}
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=self._key(repo_id), **first)
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchKey" and not self.fault("missing_baseline_is_error"):
                raise v.not_found(f"repository {repo_id} has no baseline") from None
            raise
        return json.loads(answer["Body"].read())

    def versions(self, repo_id):
        key, found, marker = self._key(repo_id), [], {}
        while True:
            page = self.s3.list_object_versions(Bucket=self.bucket, Prefix=key, **marker)
            found += [{"versionId": item["VersionId"], "lastModified": item["LastModified"].isoformat(),
                       "isLatest": item["IsLatest"]} for item in page.get("Versions", []) if item["Key"] == key]
            if not page.get("IsTruncated"):
                break
            marker = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
        return sorted(found, key=lambda item: (item["isLatest"], item["lastModified"]), reverse=True)
