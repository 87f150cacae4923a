"""Runs behave as a user would, on its own embedded stack, and reads what happened per step."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BehaveRun:
    def __init__(self, returncode, output, steps):
        self.returncode, self.output, self.steps = returncode, output, steps

    def failed_steps(self):
        return [name for name, status in self.steps if status in ("failed", "error")]

    def passed_steps(self):
        return [name for name, status in self.steps if status == "passed"]


def run_behave(feature, faults=(), extra_args=()):
    """behave on `feature` with a fresh stack started with `faults`; never shares a running stack."""
    with tempfile.TemporaryDirectory(prefix="behave-run-") as scratch:
        report = os.path.join(scratch, "steps.json")
        env = {
            **os.environ,
            "STACK_FAULTS": ",".join(faults),
            "ACCEPTANCE_STACK_STATE": os.path.join(scratch, "state.json"),
            "ACCEPTANCE_PROFILE": "local",
            "ALLURE_RESULTS_DIR": os.path.join(scratch, "allure-results"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "behave", feature, "--no-junit", "--no-capture",
             "--format", "json", "--outfile", report, "--format", "plain", "--outfile", "-", *extra_args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )
        steps = []
        if os.path.exists(report) and os.path.getsize(report):
            with open(report) as handle:
                for feature_result in json.load(handle):
                    for element in feature_result.get("elements", []):
                        for step in element.get("steps", []):
                            steps.append((step["name"], step.get("result", {}).get("status", "untested")))
        return BehaveRun(result.returncode, result.stdout + result.stderr, steps)
