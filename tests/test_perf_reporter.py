"""The reporter: console table, JSON file, CloudWatch metrics and the baseline comparison."""
import io
import json
import xml.etree.ElementTree as ElementTree

import boto3
import pytest
from moto import mock_aws

from support.perf.baseline import BaselineStore
from support.perf.chart import latency_chart
from support.perf.reporter import Reporter
from support.perf.thresholds import parse_all
from support.perf.timings import Measurements


class Settings:
    profile_name = "local"
    namespace = "WebOrdinary/Performance"

    def __init__(self, report_dir, publish):
        self.report_dir, self.publish_metrics = report_dir, publish


def measurements(scale=1):
    result = Measurements()
    for ms in range(1, 21):
        result.trend("session_start").record(ms * 100 * scale)
    for passed in [True] * 19 + [False]:
        result.rate("session_success").record(passed)
    return result


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.client("cloudwatch", region_name="us-east-1"), boto3.client("s3", region_name="us-east-1")


def reporter(tmp_path, aws, publish=True):
    cloudwatch, s3 = aws
    baselines = BaselineStore(s3, "baselines", True, 25, "local")
    return Reporter(Settings(str(tmp_path), publish), cloudwatch, baselines, "run-1", stream=io.StringIO())


def test_a_report_judges_thresholds_and_writes_every_output(tmp_path, aws):
    thresholds = parse_all({"session_start": ["p(95)<3000"], "session_success": ["rate>0.95"]})
    report = reporter(tmp_path, aws).report("short sustained", measurements(), thresholds)
    assert [(v.threshold.expression, v.passed) for v in report.verdicts] == [("p(95)<3000", True), ("rate>0.95", False)]
    with open(report.path) as handle:
        written = json.load(handle)
    assert report.path.endswith("run-1/short-sustained.json")
    assert written["metrics"]["session_start"]["count"] == 20
    assert written["thresholds"][1] == {"metric": "session_success", "threshold": "rate>0.95", "measured": 0.95,
                                        "passed": False}
    cloudwatch = aws[0]
    names = {m["MetricName"] for m in cloudwatch.list_metrics(Namespace="WebOrdinary/Performance")["Metrics"]}
    assert {"session_start_p95", "session_start_avg", "session_success_rate"} <= names


def test_nothing_is_sent_to_cloudwatch_unless_the_profile_enables_it(tmp_path, aws):
    reporter(tmp_path, aws, publish=False).report("burst", measurements())
    assert aws[0].list_metrics(Namespace="WebOrdinary/Performance")["Metrics"] == []


def test_the_console_shows_the_table_and_the_next_run_is_compared_with_the_baseline(tmp_path, aws):
    first = reporter(tmp_path, aws)
    first.report("burst", measurements(), parse_all({"session_success": ["rate>0.9"]}))
    console = first.stream.getvalue()
    assert "session_success  rate>0.9   0.95      pass" in console
    assert "no baseline yet" in console
    second = reporter(tmp_path, aws)
    report = second.report("burst", measurements(scale=2))
    assert [c.metric for c in report.regressions] == ["session_start"]
    assert "session_start p95" in second.stream.getvalue() and "REGRESSION" in second.stream.getvalue()


def test_the_latency_chart_is_well_formed_svg_with_one_line_per_metric():
    svg = latency_chart("burst", {"session_start": measurements().trend("session_start").distribution(),
                                  "activation_response": [(50, 3.0), (99, 9.0), (100, 12.0)]})
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 2
    assert "activation_response" in svg and "p99" in svg
