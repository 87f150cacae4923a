"""The plan before a run (`make plan`) and the run-level @costly gate it shares with environment.py."""
import os
import subprocess
import sys

import pytest

from support.config import ProfileError, load_profile
from support.plan import CostCheck, Entry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL = os.path.join(ROOT, "config", "profiles", "local.yaml")
COSTLY_ID = "id.studio.rules.quality_fallback"
STAGING_STUDIO = ["STUDIO_HOST", "STUDIO_ADMIN_TOKEN", "STUDIO_EFFECT_REVISION_ID",
                  "STUDIO_UNROUTED_EFFECT_REVISION_ID", "STUDIO_INPUT_FILE_ID", "STUDIO_BASELINE_ENVIRONMENT_ID",
                  "STUDIO_RETIRED_ENVIRONMENT_ID",
                  "STUDIO_SMOKE_LOAD_TEST_ID", "STUDIO_SMOKE_LOAD_TEST_DISPATCHES", "STUDIO_SUSTAINED_LOAD_TEST_ID",
                  "STUDIO_SUSTAINED_LOAD_TEST_DISPATCHES"]


def _clean_env(**extra):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("STUDIO_", "PREVIEW_", "GATEWAY_", "ACCEPTANCE_"))}
    return {**env, **extra}


def make_plan(*args, env):
    # -o: the shared venv is already set up; a worktree's newer requirements.txt must not rebuild it
    return subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "plan", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def _missing(output):
    return sorted(line.split()[1] for line in output.splitlines() if line.strip().startswith("MISSING"))


def test_make_plan_on_staging_names_every_missing_variable_not_only_the_first():
    run = make_plan("PROFILE=staging", env=_clean_env())
    assert run.returncode != 0
    assert _missing(run.stdout) == ["PREVIEW_ALB_URL"]
    assert "the run would not start: 1 environment variable(s) not set: PREVIEW_ALB_URL" in run.stdout

    with_studio = make_plan("PROFILE=staging", "TAGS=@studio",
                            env=_clean_env(STUDIO_BASE_URL="https://studio.example.test"))
    assert _missing(with_studio.stdout) == sorted(["PREVIEW_ALB_URL", *STAGING_STUDIO])
    assert "nothing is sent to any target" in with_studio.stdout


def test_make_plan_on_local_runs_the_default_set_and_costs_nothing():
    run = make_plan(env=_clean_env())
    assert run.returncode == 0, run.stdout + run.stderr
    assert "environment variables the profile reads (0 missing)" in run.stdout
    assert ": within the limit" in run.stdout
    assert run.stdout.rstrip().endswith("the run can start")


def test_plan_says_why_each_skipped_scenario_is_skipped():
    run = make_plan("PROFILE=staging", env=_clean_env(PREVIEW_ALB_URL="https://preview.example.test"))
    assert run.returncode == 0, run.stdout
    out = run.stdout
    assert "because @destructive on protected profile 'staging'; run with -D allow_destructive=yes" in out
    assert "because the target lacks store_throttling (its profile leaves that empty)" in out
    assert "because profile 'staging' has no studio target" in out
    allowed = make_plan("PROFILE=staging", "BEHAVE_ARGS=-D allow_destructive=yes",
                        env=_clean_env(PREVIEW_ALB_URL="https://preview.example.test"))
    assert "because @destructive" not in allowed.stdout


def test_plan_on_staging_with_studio_refuses_the_costly_set_until_approved():
    env = _clean_env(PREVIEW_ALB_URL="https://p.example.test", STUDIO_BASE_URL="https://s.example.test",
                     **{**{name: "1" for name in STAGING_STUDIO}, "STUDIO_HOST": "acme.studio.example.test",
                        "STUDIO_ADMIN_TOKEN": "a-bearer-token-for-the-plan"})
    refused = make_plan("PROFILE=staging", "TAGS=@studio and not @destructive", env=env)
    assert refused.returncode != 0
    assert refused.stdout.rstrip().endswith("the run would not start: the cost gate would refuse it")
    assert ("cost: 3 selected @costly scenario(s) estimated at $93.60 against cost_limit_usd $50.00 of profile "
            "'staging': REFUSED, the estimates add up to $93.60, over cost_limit_usd $50.00") in refused.stdout
    approved = make_plan("PROFILE=staging", "TAGS=@studio and not @destructive",
                         "BEHAVE_ARGS=-D cost_approval=CAB-12", env=env)
    assert approved.returncode == 0, approved.stdout
    assert "$93.60 against cost_limit_usd $50.00 of profile 'staging': approved under CAB-12" in approved.stdout


def _entry(ident, usd):
    return Entry(ident, "x.feature:1", "studio", ident, True, None, usd)


def test_cost_check_refuses_over_the_limit_and_an_unknown_estimate_and_not_at_the_limit():
    at_limit = CostCheck(10, "p.yaml", "p", [_entry("id.a.b.c", 4), _entry("id.a.b.d", 6)])
    assert at_limit.refusal(None) is None
    over = CostCheck(10, "p.yaml", "p", [_entry("id.a.b.c", 4), _entry("id.a.b.d", 6.01)])
    assert over.reasons() == ["the estimates add up to $10.01, over cost_limit_usd $10.00"]
    assert over.refusal(None).startswith("the run refuses to start: 2 selected @costly scenario(s) estimated at $10.01")
    assert over.refusal("CAB-1") is None
    unknown = CostCheck(10, "p.yaml", "p", [_entry("id.a.b.c", None)])
    assert unknown.reasons() == ["id.a.b.c has no estimate under 'costly:' in p.yaml"]


@pytest.mark.parametrize("costly, message", [
    ({"studio.rules.quality_fallback": 1}, "'studio.rules.quality_fallback' is not a scenario id tag"),
    ({COSTLY_ID: -1}, f"the estimate for {COSTLY_ID} is -1; expected a number of US dollars, 0 or more"),
    ([COSTLY_ID], "expected a mapping of scenario id tags"),
])
def test_the_profile_refuses_bad_estimates(tmp_path, costly, message):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {LOCAL}\ncostly: {costly!r}\n".replace("'", '"') if isinstance(costly, list)
                    else f"extends: {LOCAL}\ncostly:\n" + "".join(f"  {k}: {v}\n" for k, v in costly.items()))
    with pytest.raises(ProfileError, match="key 'costly': " + message.replace("$", r"\$").replace("(", r"\(")):
        load_profile(str(path))


def test_every_costly_scenario_has_an_estimate_in_the_local_and_staging_profiles():
    from tools.plan import _features
    features, _config = _features("@costly", [])
    from support.areas import selected_scenarios
    from support.plan import scenario_id
    ids = {scenario_id(scenario.effective_tags) for scenario in selected_scenarios(features, _config)}
    assert None not in ids, "every @costly scenario needs an id tag to key its estimate"
    for name in ("local", "staging"):
        with open(os.path.join(ROOT, "config", "profiles", f"{name}.yaml")) as handle:
            import yaml
            estimates = yaml.safe_load(handle)["costly"]
        assert set(estimates) == ids, name
    with open(LOCAL) as handle:
        import yaml
        assert set(yaml.safe_load(handle)["costly"].values()) == {0}


def _behave(tmp_path, profile, *args):
    return subprocess.run(
        [sys.executable, "-m", "behave", "--no-junit", "-D", f"profile={profile}", "--format", "plain",
         f"--tags=@{COSTLY_ID}", *args],
        cwd=ROOT, env={**_clean_env(), "ACCEPTANCE_STACK_STATE": str(tmp_path / "state.json"),
                       "ALLURE_RESULTS_DIR": str(tmp_path / "results")},
        capture_output=True, text=True, timeout=180)


def _over_budget_profile(tmp_path):
    path = tmp_path / "dear.yaml"
    path.write_text(f"extends: {LOCAL}\ncost_limit_usd: 1\ncostly:\n  {COSTLY_ID}: 2.5\n")
    return str(path)


def test_the_run_refuses_to_start_when_its_costly_scenarios_are_over_the_limit(tmp_path):
    run = _behave(tmp_path, _over_budget_profile(tmp_path))
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert output.count("the run refuses to start: 1 selected @costly scenario(s) estimated at $2.50 against "
                        "cost_limit_usd $1.00 of profile 'dear'; the estimates add up to $2.50, over cost_limit_usd "
                        "$1.00. Approve it with -D cost_approval=<reference>") == 1
    assert "embedded stack started" not in output, "a refused run starts nothing"
    assert not os.path.exists(tmp_path / "state.json")


def test_an_approval_reference_lets_the_same_run_through(tmp_path):
    run = _behave(tmp_path, _over_budget_profile(tmp_path), "-D", "cost_approval=CAB-77")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "1 scenario passed, 0 failed" in output
