"""Baselines: every run's summary is kept in S3, and the next run of the same load on the same
profile is compared with it, so a slow drift shows up as a flagged regression, not as a surprise.

Compared: each trend's p95 (higher is worse) and each rate (lower is worse, except failure rates).
A change beyond the profile's `regression_percent` is a regression.
"""
import json
from dataclasses import dataclass

from botocore.exceptions import ClientError

LOWER_IS_BETTER_RATES = {"http_req_failed"}
PREFIX = "baselines"


class BaselineUnavailable(RuntimeError):
    """The profile's baseline bucket does not exist and the profile does not allow creating it."""


@dataclass(frozen=True)
class Comparison:
    metric: str
    aspect: str
    before: float
    now: float
    regression: bool

    @property
    def change_percent(self):
        return None if not self.before else (self.now - self.before) / self.before * 100

    def line(self):
        change = "n/a" if self.change_percent is None else f"{self.change_percent:+.1f} %"
        flag = "REGRESSION" if self.regression else "ok"
        return f"{self.metric} {self.aspect}: {self.before:,.4g} -> {self.now:,.4g} ({change}) {flag}"


def compare(previous, current, percent):
    """Comparisons of two `Measurements.summary()` dicts; metrics missing from either are skipped."""
    found = []
    limit = percent / 100
    for metric, now in sorted(current.items()):
        before = previous.get(metric)
        if not before or before.get("kind") != now.get("kind"):
            continue
        if now["kind"] == "trend" and before.get("p95") and now.get("p95") is not None:
            found.append(Comparison(metric, "p95", before["p95"], now["p95"], now["p95"] > before["p95"] * (1 + limit)))
        elif now["kind"] == "rate" and before.get("rate") is not None and now.get("rate") is not None:
            if metric in LOWER_IS_BETTER_RATES:
                worse = now["rate"] > before["rate"] + limit * max(before["rate"], 0.01)
            else:
                worse = now["rate"] < before["rate"] * (1 - limit)
            found.append(Comparison(metric, "rate", before["rate"], now["rate"], worse))
    return found


class BaselineStore:
    def __init__(self, s3, bucket, create_bucket, regression_percent, profile_name):
        self.s3, self.bucket = s3, bucket
        self.create_bucket = create_bucket
        self.percent = regression_percent
        self.profile_name = profile_name

    def _key(self, name, run=None):
        """The latest summary of a load, or (with `run`) one run's, kept for trend analysis."""
        return f"{PREFIX}/{self.profile_name}/{name}/" + (f"runs/{run}.json" if run else "latest.json")

    def previous(self, name):
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "NoSuchBucket", "404"):
                return None
            raise
        return json.loads(answer["Body"].read())

    def store(self, name, record):
        body = json.dumps(record, indent=2, default=str).encode()
        for key in (self._key(name, record.get("run")), self._key(name)):
            try:
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
            except ClientError as error:
                if error.response["Error"]["Code"] != "NoSuchBucket":
                    raise
                if not self.create_bucket:
                    raise BaselineUnavailable(
                        f"the baseline bucket {self.bucket!r} does not exist; create it, or name another in "
                        f"performance.baseline.bucket") from None
                self.s3.create_bucket(Bucket=self.bucket)
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")

    def compare_and_store(self, name, record):
        """(previous record or None, comparisons); the current record becomes the next run's baseline."""
        previous = self.previous(name)
        comparisons = compare(previous["metrics"], record["metrics"], self.percent) if previous else []
        self.store(name, record)
        return previous, comparisons
