"""behave, with each selected scenario run under its own one fault: `python -m tests.matrix_behave PLAN
<behave arguments>`, attached to the running stack named in the plan.

The plan (JSON) gives the stack's state file and, per scenario id, its area and fault. Around each
run of such a scenario (its hooks, steps and cleanups; every row of an outline) the fault is switched
on and then off again, the preview and the studio are reset (`settle`), and the stack must then be as
the scenario found it; if it is not, the run stops there, so that no later scenario runs on a stack
another fault has damaged. What happened is written back as JSON (`results`): per scenario id, the faults it ran
under, its steps' statuses, what the reset cleared and its time (the reset and the rest check included).
The suite itself (environment.py, steps, support) is not touched.
"""
import json
import sys
import time

from behave.__main__ import main as behave_main
from behave.model import Scenario

from tests.stack_lane import settle, studio_routing, switch


def _install(plan, results):
    state = plan["state"]
    original = Scenario.run

    def run(scenario, runner):
        key = next((tag for tag in scenario.effective_tags if tag in plan["scenarios"]), None)
        if key is None or runner.aborted:
            return original(scenario, runner)
        area, fault = plan["scenarios"][key]
        before = studio_routing(state)
        record = results["scenarios"].setdefault(key, {"switched": [], "steps": [], "seconds": 0.0})
        started = time.monotonic()
        try:
            record["switched"] = switch(state, area, [fault])
            return original(scenario, runner)
        finally:
            switch(state, area, [])
            record["steps"] += [(step.name, step.status.name) for step in scenario.steps]
            cleared, why = settle(state, before)
            record["reset"] = cleared or record.get("reset")
            record["seconds"] += time.monotonic() - started
            if why:
                results["unrest"] = {"after": key, "why": why}
                runner.abort(reason=f"the stack is not at rest after @{key}: {why}")

    Scenario.run = run


def main(argv):
    plan_path, behave_args = argv[0], argv[1:]
    with open(plan_path) as handle:
        plan = json.load(handle)
    results = {"scenarios": {}, "unrest": None}
    _install(plan, results)
    try:
        return behave_main(behave_args)
    finally:
        with open(plan["results"], "w") as handle:
            json.dump(results, handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
