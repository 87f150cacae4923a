"""Where a performance result goes: the console, a JSON file, the Allure report (table, JSON and a
latency chart), CloudWatch (namespace from the profile) when the profile enables it, and the
baseline store, which flags a regression against the previous run.
"""
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field

import allure

from support import reporting
from support.perf import thresholds as thresholds_module
from support.perf.chart import latency_chart

# PutMetricData takes at most 1000 values a call; 20 keeps every call small.
METRICS_PER_CALL = 20
CLOUDWATCH_UNITS = {"ms": "Milliseconds", "%": "Percent", "": "None"}


@dataclass
class Report:
    name: str
    verdicts: list
    record: dict
    comparisons: list = field(default_factory=list)
    path: str = None

    @property
    def regressions(self):
        return [comparison for comparison in self.comparisons if comparison.regression]

    def verdicts_for(self, metric):
        return [verdict for verdict in self.verdicts if verdict.threshold.metric == metric]


def _shown(values):
    """One metric's summary on one line; a single timing is just its value."""
    if values["kind"] == "trend" and values["count"] == 1:
        return f"{values['max']:,.1f} ms"
    return ", ".join(f"{key} {value:,.4g}" if isinstance(value, float) else f"{key} {value}"
                     for key, value in values.items() if key != "kind" and value is not None)


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Reporter:
    def __init__(self, settings, cloudwatch, baselines, run_id, stream=None):
        self.settings = settings
        self.cloudwatch = cloudwatch
        self.baselines = baselines
        self.run_id = run_id
        self.stream = stream or sys.__stdout__

    def report(self, name, measurements, thresholds=(), details=None):
        """Evaluates `thresholds`, then publishes everything; returns the Report."""
        verdicts = thresholds_module.evaluate(thresholds, measurements)
        record = {
            "name": name,
            "run": self.run_id,
            "profile": self.settings.profile_name,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "metrics": measurements.summary(),
            "thresholds": [
                {"metric": v.threshold.metric, "threshold": v.threshold.expression, "measured": v.measured,
                 "passed": v.passed}
                for v in verdicts
            ],
            **(details or {}),
        }
        previous, comparisons = self.baselines.compare_and_store(slug(name), record)
        record["baseline"] = {
            "previous_run": previous.get("run") if previous else None,
            "regression_percent": self.baselines.percent,
            "comparisons": [c.__dict__ | {"change_percent": c.change_percent} for c in comparisons],
        }
        report = Report(name, verdicts, record, comparisons)
        report.path = self._write_json(name, record)
        text = self._text(report, previous)
        self._console(text)
        self._attach(report, text, measurements)
        if self.settings.publish_metrics:
            self._publish(name, measurements)
        for comparison in report.regressions:
            reporting.note(f"REGRESSION against run {previous['run']}: {comparison.line()}")
        return report

    def _text(self, report, previous):
        lines = [f"performance: {report.name} (run {self.run_id}, profile {self.settings.profile_name})"]
        metrics = report.record["metrics"]
        for metric, values in metrics.items():
            lines.append(f"  {metric}: {_shown(values)}")
        if report.verdicts:
            lines += ["", thresholds_module.table(report.verdicts)]
        if previous:
            lines += ["", f"against the baseline of run {previous['run']} (regression beyond "
                          f"{self.baselines.percent:g} %):"] + [f"  {c.line()}" for c in report.comparisons]
        else:
            lines += ["", "no baseline yet for this load and profile; this run becomes it"]
        lines.append(f"results: {report.path}")
        return "\n".join(lines)

    def _console(self, text):
        self.stream.write("\n" + "\n".join(f"      {line}" for line in text.splitlines()) + "\n")
        self.stream.flush()

    def _write_json(self, name, record):
        folder = os.path.join(self.settings.report_dir, self.run_id)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{slug(name)}.json")
        with open(path, "w") as handle:
            json.dump(record, handle, indent=2, default=str)
        return path

    def _attach(self, report, text, measurements):
        allure.attach(text, name=f"{report.name}: thresholds and percentiles",
                      attachment_type=allure.attachment_type.TEXT)
        allure.attach(json.dumps(report.record, indent=2, default=str), name=f"{report.name}: results",
                      attachment_type=allure.attachment_type.JSON)
        series = {metric: trend.distribution() for metric, trend in measurements.metrics.items()
                  if trend.kind == "trend" and trend.count}
        if series:
            allure.attach(latency_chart(f"{report.name}: latency by percentile", series),
                          name=f"{report.name}: latency chart", attachment_type=allure.attachment_type.SVG)

    def _publish(self, name, measurements):
        """Trends as p50/p95/p99/avg, rates as a share, summaries as their average, by profile and load."""
        dimensions = [{"Name": "Profile", "Value": self.settings.profile_name}, {"Name": "Load", "Value": name}]
        data = []
        for metric, values in measurements.summary().items():
            unit = CLOUDWATCH_UNITS[thresholds_module.METRICS.get(metric, ("trend", "ms", ""))[1]]
            aspects = {"trend": ("avg", "p50", "p95", "p99"), "rate": ("rate",), "summary": ("avg", "max")}
            for aspect in aspects[values["kind"]]:
                if values.get(aspect) is not None:
                    data.append({"MetricName": f"{metric}_{aspect}", "Dimensions": dimensions,
                                 "Value": float(values[aspect]), "Unit": "None" if aspect == "rate" else unit})
        for start in range(0, len(data), METRICS_PER_CALL):
            self.cloudwatch.put_metric_data(Namespace=self.settings.namespace,
                                            MetricData=data[start:start + METRICS_PER_CALL])
