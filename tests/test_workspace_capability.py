"""A missing tool costs only the scenarios that need it.

Every scenario with a step that looks into a workspace carries `@use.with_capability=workspace_files`,
so that a target whose workspaces cannot be read from this machine (staging without the Session
Manager plugin) skips exactly those, with the reason, and runs every other one. The proof that the
skip happens is a run of the staging profile against a stack started alone, with PATH left
without the plugin.
"""
import glob
import inspect
import os
import re
import json
import subprocess
import sys

import pytest
from behave.parser import parse_file
from behave.runner_util import load_step_modules
from behave.step_registry import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPABILITY = "use.with_capability=workspace_files"
# What a step does when it reads a workspace: the workspace client, or the wait that polls it.
FIRST_EDIT = "A first instruction starts a container and shows the change"
MALFORMED = "An activation with missing or malformed details is refused and creates nothing"
LOOKS_INTO_WORKSPACE = re.compile(r"context\.workspace\.|\.wait_for_workspace_file\(")


def _step_functions():
    if not registry.steps["then"]:
        load_step_modules([os.path.join(ROOT, "steps")])
    module_functions = {}
    for steps in registry.steps.values():
        for matcher in steps:
            # behave runs step files without a module name: their file tells them apart
            module_functions.setdefault(inspect.getsourcefile(matcher.func), {})[matcher.func.__name__] = matcher.func
    return module_functions


def _reads_workspace(func, functions, seen=()):
    """Whether the step, or a step function of its module that it calls, reads a workspace."""
    source = inspect.getsource(func)
    if LOOKS_INTO_WORKSPACE.search(source):
        return True
    called = [f for name, f in functions.get(inspect.getsourcefile(func), {}).items()
              if f is not func and name not in seen and re.search(rf"\b{name}\(", source)]
    return any(_reads_workspace(f, functions, (*seen, func.__name__)) for f in called)


def _scenarios():
    for path in sorted(glob.glob(os.path.join(ROOT, "features", "**", "*.feature"), recursive=True)):
        for scenario in parse_file(path).walk_scenarios():
            yield os.path.relpath(path, ROOT), scenario


def test_every_scenario_that_reads_a_workspace_needs_the_capability():
    functions = _step_functions()
    untagged, reading = [], 0
    for path, scenario in _scenarios():
        steps = [*(scenario.background_steps or ()), *scenario.steps]
        matches = [registry.find_match(step) for step in steps]
        if any(match and _reads_workspace(match.func, functions) for match in matches):
            reading += 1
            if CAPABILITY not in scenario.effective_tags:
                untagged.append(f"{path}: {scenario.name}")
    assert untagged == [], f"scenarios that read a workspace without @{CAPABILITY}"
    # Pinned so that a step renamed away from the pattern above cannot silently empty this test.
    assert reading == 10


def test_the_step_detection_sees_a_workspace_read():
    functions = _step_functions()
    names = {f.__name__: f for module in functions.values() for f in module.values()}
    assert _reads_workspace(names["step_workspace_holds_pages"], functions)
    assert not _reads_workspace(names["step_acknowledged"], functions)


def test_staging_without_the_plugin_skips_only_the_workspace_scenarios(tmp_path):
    """The staging profile pointed at an embedded stack (as a QA engineer would), on a PATH with the AWS
    CLI but without `session-manager-plugin`: the scenario that looks into a workspace is skipped with
    the reason, and the ones that do not run and pass."""
    state = str(tmp_path / "state.json")
    up = subprocess.run([sys.executable, "-m", "stack", "up", "--areas", "preview", "--state", state],
                        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        with open(state) as handle:
            preview = json.load(handle)["preview"]
        with open(state) as handle:
            aws_endpoint = json.load(handle)["aws"]["endpoint"]
        path = os.pathsep.join([os.path.join(ROOT, ".tools", "bin"), os.path.dirname(sys.executable), "/usr/bin", "/bin"])
        env = {key: value for key, value in os.environ.items() if not key.startswith(("STUDIO_", "AWS_"))}
        env.update({"PATH": path, "AWS_ENDPOINT_URL": aws_endpoint, "AWS_ENDPOINT_URL_ECS": preview["endpoints"]["ecs"],
                    "PREVIEW_ALB_URL": preview["endpoints"]["load_balancer"], "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "PUBLISH_RUN_METRICS": "false",
                    "ALLURE_RESULTS_DIR": str(tmp_path / "results")})
        run = subprocess.run(
            [sys.executable, "-m", "behave", "-D", "profile=staging", "--no-junit", "--format", "plain", "--no-capture",
             "features/preview/cold_start.feature", "--name", FIRST_EDIT, "--name", MALFORMED],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    finally:
        subprocess.run([sys.executable, "-m", "stack", "down", "--state", state], cwd=ROOT, capture_output=True,
                       timeout=60)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "ECS Exec needs 'session-manager-plugin' on PATH" in output
    results = {}
    for path in glob.glob(str(tmp_path / "results" / "*-result.json")):
        with open(path) as handle:
            result = json.load(handle)
        results.setdefault(result["name"].split(" -- ")[0], []).append(
            (result["status"], (result.get("statusDetails") or {}).get("message", "")))
    assert results[FIRST_EDIT] == [("skipped", "the target lacks workspace_files")]
    assert [status for status, _ in results[MALFORMED]] == ["passed"] * 7
