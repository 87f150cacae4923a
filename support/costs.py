"""What a test run costs: each area prices its own scenarios, and this keeps the run's account.

The account is one table and one JSON file for the whole run, CloudWatch metrics when the profile
asks for them, and a verdict: a run whose estimate is over `costs.run_limit_usd` fails.
"""
import json
import os
from dataclasses import asdict, dataclass, field


@dataclass
class ScenarioCost:
    area: str
    name: str
    status: str
    seconds: float
    usd: float
    #: what was measured, in the area's own units (container-seconds, requests, bytes)
    usage: dict = field(default_factory=dict)

    def describe(self):
        measured = ", ".join(f"{value:g} {what.replace('_', ' ')}" for what, value in self.usage.items())
        return f"cost {self.usd:.6f} USD" + (f": {measured}" if measured else "")


@dataclass
class RunCost:
    scenarios: list = field(default_factory=list)

    @property
    def usd(self):
        return sum(s.usd for s in self.scenarios)

    def summary(self):
        passed = sum(s.status == "passed" for s in self.scenarios)
        usage = {}
        for scenario in self.scenarios:
            for what, value in scenario.usage.items():
                usage[what] = usage.get(what, 0) + value
        return {
            "scenarios": len(self.scenarios),
            "success_rate": passed / len(self.scenarios) if self.scenarios else None,
            "usage": usage,
            "estimated_usd": self.usd,
        }

    def table(self, limit_usd):
        rows = [f"{'scenario':60} {'area':8} {'status':8} {'seconds':>8} {'USD':>10}"]
        for s in self.scenarios:
            rows.append(f"{s.name[:60]:60} {s.area:8} {s.status:8} {s.seconds:8.1f} {s.usd:10.6f}")
        summary = self.summary()
        rate = "n/a" if summary["success_rate"] is None else f"{summary['success_rate']:.0%}"
        rows.append(f"total: {self.usd:.6f} USD of {limit_usd:g} USD allowed; success rate {rate}")
        return "\n".join(rows)

    def to_json(self):
        return json.dumps({"summary": self.summary(), "scenarios": [asdict(s) for s in self.scenarios]}, indent=2)


def lane_file(report_file, lane):
    """Where one lane of a parallel run (tools/parallel.py) keeps its own account: run-cost.<lane>.json."""
    root, extension = os.path.splitext(report_file)
    return f"{root}.{lane}{extension}"


class RunOverBudget(RuntimeError):
    """Raised at the end of a run whose estimated cost is over the profile's run limit."""


class RunAccount:
    """The run's costs, scenario by scenario, whichever area measured them."""

    def __init__(self, settings, profile_name, cloudwatch=None):
        self.settings = settings
        self.profile_name = profile_name
        self.cloudwatch = cloudwatch
        self.run = RunCost()

    def add(self, cost):
        self.run.scenarios.append(cost)

    def publish(self):
        """Run totals as CloudWatch metrics, when the profile asks for it and has AWS."""
        if not self.settings["publish_metrics"] or self.cloudwatch is None:
            return False
        summary = self.run.summary()
        data = [{"MetricName": "EstimatedRunCostUSD", "Value": summary["estimated_usd"], "Unit": "None"}]
        if summary["success_rate"] is not None:
            data.append({"MetricName": "SuccessRate", "Value": summary["success_rate"] * 100, "Unit": "Percent"})
        data += [{"MetricName": "".join(part.title() for part in what.split("_")), "Value": value, "Unit": "None"}
                 for what, value in summary["usage"].items()]
        self.cloudwatch.put_metric_data(Namespace=self.settings["metrics_namespace"], MetricData=data)
        return True

    def close(self, say):
        """The run's cost table, its JSON file and metrics; a run over its cost limit fails here."""
        if not self.run.scenarios:
            return
        limit, path = self.settings["run_limit_usd"], self.settings["report_file"]
        if os.environ.get("ACCEPTANCE_LANE"):  # one of several processes: the runner adds the lanes up
            path = lane_file(path, os.environ["ACCEPTANCE_LANE"])
        say(self.run.table(limit))
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as handle:
            handle.write(self.run.to_json())
        if self.publish():
            say(f"run metrics published to {self.settings['metrics_namespace']}")
        if self.run.usd > limit:
            raise RunOverBudget(f"the run's estimated cost {self.run.usd:.6f} USD is over costs.run_limit_usd "
                                f"({limit:g} USD) of profile '{self.profile_name}'; see {path}")
