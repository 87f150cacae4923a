"""Runs behave as a user would, on its own embedded stack or attached to a running one (a lane of
the fault matrix), and reads what happened per step."""
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT_S = 300


class BehaveRun:
    def __init__(self, returncode, output, steps, scenarios, seconds):
        self.returncode, self.output, self.steps = returncode, output, steps
        self.scenarios, self.seconds = scenarios, seconds

    def failed_steps(self):
        return [name for name, status in self.steps if status in ("failed", "error")]

    def passed_steps(self):
        return [name for name, status in self.steps if status == "passed"]


def _behave(head, paths, scratch, stack_state, faults=(), extra_args=()):
    report = os.path.join(scratch, "steps.json")
    env = {
        **os.environ,
        "STACK_FAULTS": ",".join(faults),
        "ACCEPTANCE_STACK_STATE": stack_state or os.path.join(scratch, "state.json"),
        "ACCEPTANCE_PROFILE": "local",
        "ALLURE_RESULTS_DIR": os.path.join(scratch, "allure-results"),
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, *head, *paths, "--no-junit", "--no-capture",
         "--format", "json", "--outfile", report, "--format", "plain", "--outfile", "-", *extra_args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    seconds = time.monotonic() - started
    steps, scenarios = [], 0
    if os.path.exists(report) and os.path.getsize(report):
        with open(report) as handle:
            for feature_result in json.load(handle):
                for element in feature_result.get("elements", []):
                    scenarios += element.get("type") == "scenario" and element.get("status") != "skipped"
                    for step in element.get("steps", []):
                        steps.append((step["name"], step.get("result", {}).get("status", "untested")))
    return BehaveRun(result.returncode, result.stdout + result.stderr, steps, scenarios, seconds)


def run_behave(feature, faults=(), extra_args=(), stack_state=None):
    """behave on `feature`, attached to the running stack whose state file is `stack_state`, or else
    on a fresh stack of its own started with `faults`."""
    assert not (faults and stack_state), "a running stack's faults are switched through its control endpoint"
    with tempfile.TemporaryDirectory(prefix="behave-run-") as scratch:
        return _behave(["-m", "behave"], [feature], scratch, stack_state, faults, extra_args)


def run_under_faults(plan, stack_state):
    """behave on the scenarios of `plan` ({scenario id: (feature, area, fault)}), each under its own fault
    on the running stack (tests/matrix_behave.py); the run, and per scenario id what it ran under and
    its steps' statuses, plus why the stack was left unrest, if it was."""
    with tempfile.TemporaryDirectory(prefix="behave-matrix-") as scratch:
        plan_path, results_path = os.path.join(scratch, "plan.json"), os.path.join(scratch, "results.json")
        with open(stack_state) as handle:
            state = json.load(handle)
        with open(plan_path, "w") as handle:
            json.dump({"state": state, "results": results_path,
                       "scenarios": {key: [area, fault] for key, (_, area, fault) in plan.items()}}, handle)
        features = list(dict.fromkeys(feature for feature, _, _ in plan.values()))
        tags = " or ".join(f"@{key}" for key in plan)
        run = _behave(["-m", "tests.matrix_behave", plan_path], features, scratch, stack_state,
                      extra_args=("--tags", tags))
        results = {"scenarios": {}, "unrest": None}
        if os.path.exists(results_path):
            with open(results_path) as handle:
                results = json.load(handle)
        return run, results
