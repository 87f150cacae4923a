"""The rehearsal profile extends staging: it keeps every driver, gate and price staging has and
overrides only where the target is, what it calls things, its log markers, e-mail domain and budgets."""
import pytest
import yaml

from support.config import ProfileError, load_profile

# What the rehearsal may change; everything else must come from staging unchanged.
OVERRIDDEN = {
    "description", "target", "aws", "stack", "polling", "costs.run_limit_usd",
    "preview.endpoints", "preview.names", "preview.workspace.tools_path", "preview.email.recipient",
    "preview.email.inbox_bucket", "preview.email.inbox_prefix", "preview.log_markers", "preview.limits",
    "preview.prove_drivers", "preview.costs.session_limit_usd", "preview.performance.baseline.bucket",
    "preview.performance.start_times.warm_starts", "preview.performance.loads", "preview.budgets",
}


def flatten(data, prefix=""):
    flat = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in OVERRIDDEN:
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


@pytest.fixture
def staging_env(monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.com")
    monkeypatch.delenv("STUDIO_BASE_URL", raising=False)


def test_rehearsal_keeps_what_staging_selects(staging_env):
    staging, rehearsal = load_profile("staging"), load_profile("rehearsal")
    kept = {key: value for key, value in flatten(staging.data).items() if key not in OVERRIDDEN}
    rehearsed = flatten(rehearsal.data)
    assert {key: rehearsed.get(key) for key in kept} == kept
    preview = rehearsal.area("preview")
    assert (preview["chaos"]["driver"], preview["email"]["mailbox"], preview["workspace"]["access"]) == \
        ("ecs", "s3_inbox", "ecs_exec")
    assert rehearsal["protected"] is True
    assert rehearsal.embedded and not staging.embedded


def test_rehearsal_takes_names_endpoints_markers_and_mail_from_the_stack(staging_env):
    preview = load_profile("rehearsal").area("preview")
    from_stack = [preview["endpoints"], preview["names"], preview["log_markers"], preview["limits"],
                  preview["email"]["recipient"], preview["email"]["inbox_bucket"], preview["email"]["inbox_prefix"],
                  preview["workspace"]["tools_path"], preview["performance"]["baseline"]["bucket"]]
    assert from_stack == ["from_stack"] * len(from_stack)


def test_overrides_are_named_by_the_file_they_came_from(staging_env):
    rehearsal = load_profile("rehearsal")
    assert rehearsal.where("preview.budgets.cold_start") == "config/profiles/rehearsal.yaml"
    assert rehearsal.where("preview.chaos.driver") == "config/profiles/staging.yaml"
    assert rehearsal.where("protected") == "config/profiles/staging.yaml"


def test_a_bad_override_names_the_rehearsal_file(tmp_path, staging_env):
    with open("config/profiles/rehearsal.yaml") as handle:
        data = yaml.safe_load(handle)
    data["extends"] = "staging"
    data["preview"]["budgets"]["cold_start"] = "soon"
    path = tmp_path / "broken-rehearsal.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProfileError, match=r"broken-rehearsal\.yaml: key 'preview\.budgets'"):
        load_profile(str(path))
