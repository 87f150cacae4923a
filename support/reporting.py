"""What the Allure report and the console say about a run, beyond pass and fail.

allure-behave drops label calls made inside steps, so labels are derived from tags before a
feature runs; the files Allure reads about the run itself (environment, executor) are written by
the suite. The failure categories live in allurerc.mjs, beside the rest of the report's configuration.
"""
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
from dataclasses import asdict

import allure

from support.redact import redact

SEVERITY_BY_TAG = {"smoke": "critical", "destructive": "normal", "known_defect": "minor"}

_notes = []


def results_dir():
    """behave.ini's allure-results/, unless ALLURE_RESULTS_DIR says otherwise (the suite's own tests)."""
    return os.environ.get("ALLURE_RESULTS_DIR") or "allure-results"


def note(text):
    """A line worth seeing in both the console and the report (a wait's duration, a measurement)."""
    _notes.append(text)
    with allure.step(text):
        pass


def attach_json(name, value):
    allure.attach(json.dumps(value if isinstance(value, dict) else asdict(value), indent=2, default=str),
                  name=name, attachment_type=allure.attachment_type.JSON)


def console(text):
    """Writes to the run's real output: behave captures sys.stdout inside hooks and scenarios."""
    sys.__stdout__.write(text.rstrip("\n") + "\n")
    sys.__stdout__.flush()


def take_notes():
    taken = list(_notes)
    _notes.clear()
    return taken


def scenario_labels(scenario):
    """(name, value) Allure labels: one epic from the first area tag (a scenario sits once in the
    report's tree), story from the scenario (an outline's rows share their outline's name), severity
    from speed and safety tags; allure-behave sets feature."""
    from support.areas import area_of  # the areas' packages use this module: resolved at call time
    tags = set(scenario.effective_tags)
    area = area_of(tags)
    labels = [("epic", area.title)] if area else []
    labels.append(("story", scenario.name.split(" -- @")[0] if getattr(scenario, "_row", None) else scenario.name))
    severity = next((level for tag, level in SEVERITY_BY_TAG.items() if tag in tags), None)
    if severity:
        labels.append(("severity", severity))
    return labels


def skip_as_invalid(scenario, reason):
    """An invalid run (a busy machine, a generator behind its schedule) is neither passed nor failed:
    the scenario is skipped with the reason, which the report and the summary show."""
    note(reason)
    scenario.skip(reason=reason)


def brief(value, limit=600):
    """A snapshot in one line for the console; the whole of it goes to the report."""
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


def addresses(profile):
    """Every address the profile's areas point at, by dotted key (AWS's too, when it is not AWS itself)."""
    found = {}

    def walk(value, key):
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, f"{key}.{name}")
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            found[key] = value

    for name in ("aws", *profile.areas):
        walk(profile.data.get(name), name)
    return found


def _git(*args):
    try:
        done = subprocess.run(["git", *args], cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def versions(embedded):
    """What produced the run: the suite (git describe), Python, behave and, locally, the embedded stack
    (its last commit and the moto it serves), so a summary says which code gave which verdict."""
    found = {
        "suite.version": _git("describe", "--always", "--tags", "--dirty"),
        "python.version": platform.python_version(),
        "behave.version": importlib.metadata.version("behave"),
    }
    if embedded:
        found["stack.version"] = f"{_git('log', '-1', '--format=%h', '--', 'stack')} " \
                                 f"(moto {importlib.metadata.version('moto')})"
    return found


NOT_SELECTED = "not selected by the tags"


def skip_reason(scenario, config):
    """Why a scenario did not run: the reason it was skipped with (an absent capability, a protected
    profile), else that the run's tags did not select it."""
    if scenario.skip_reason:
        return scenario.skip_reason
    expression = getattr(config, "tag_expression", None)
    if expression is not None and not scenario.should_run_with_tags(expression):
        return f"{NOT_SELECTED} ({expression})"
    return "skipped without a reason"


def write_run_files(results_dir, profile, stack_state, run_id):
    os.makedirs(results_dir, exist_ok=True)
    environment = {"profile": profile.name, "target": profile["target"], "run.id": run_id,
                   "areas": ",".join(profile.areas), **addresses(profile)}
    if stack_state:
        environment["stack.start_seconds"] = stack_state["start_seconds"]
        environment["stack.faults"] = ",".join(stack_state["faults"]) or "none"
    environment.update(versions(embedded=bool(stack_state)))
    with open(os.path.join(results_dir, "environment.properties"), "w") as handle:
        handle.writelines(f"{key}={value}\n" for key, value in redact(environment).items())
    with open(os.path.join(results_dir, "executor.json"), "w") as handle:
        json.dump(executor(run_id, os.environ), handle, indent=2)


def executor(run_id, env):
    """Who ran the suite: on GitHub Actions the workflow run, with a link back to its build."""
    found = {"name": "local", "type": "behave", "buildName": f"acceptance {run_id}", "reportName": "Acceptance suite"}
    if env.get("GITHUB_ACTIONS") == "true":
        server, repository = env.get("GITHUB_SERVER_URL", "https://github.com"), env.get("GITHUB_REPOSITORY", "")
        build = f"{server}/{repository}/actions/runs/{env.get('GITHUB_RUN_ID', '')}"
        found.update(name="GitHub Actions", type="github", buildOrder=int(env.get("GITHUB_RUN_NUMBER") or 0),
                     buildName=f"{env.get('GITHUB_WORKFLOW', 'acceptance')} #{env.get('GITHUB_RUN_NUMBER', '')} "
                               f"({run_id})", buildUrl=build, reportUrl=f"{build}#artifacts")
    elif env.get("CI"):
        found["name"] = "CI"
    return found
