"""The guardian's profile sections: the local one takes its target from the stack, the area-only
profile and staging take it from the environment, and a bad value is named with its file and key."""
import pytest

from support.config import ProfileError, load_profile

TARGET = {"GUARDIAN_URL": "https://guardian.example.test", "GUARDIAN_PROJECT": "mirror-dissonance",
          "GUARDIAN_ENV": "staging"}


@pytest.fixture
def guardian_environment(monkeypatch):
    for key, value in TARGET.items():
        monkeypatch.setenv(key, value)


def test_the_local_section_comes_from_the_stack_and_its_budgets_join_the_run():
    profile = load_profile("local")
    section = profile.area("guardian")
    assert (section["base_url"], section["project"], section["env"]) == ("from_stack",) * 3
    assert profile.budgets["guardian workflow p95"].limit == 0.75
    state = {"guardian": {"base_url": "http://127.0.0.1:1", "control_url": "http://127.0.0.1:1/control",
                          "project": "mirror-dissonance", "env": "local"}, "aws": {"endpoint": "http://127.0.0.1:2"}}
    filled = profile.with_stack(state).area("guardian")
    assert (filled["base_url"], filled["env"]) == ("http://127.0.0.1:1", "local")


def test_the_area_only_profile_names_only_the_guardian(guardian_environment, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    profile = load_profile("guardian")
    assert (profile.areas, profile.embedded, profile["aws"]["endpoint"]) == (
        ["guardian"], False, "http://localhost:4566")
    assert profile.area("guardian")["performance"]["smoke_only"] is False


def test_the_area_only_profile_without_the_guardians_address_says_which_variable(monkeypatch):
    for key in TARGET:
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(ProfileError, match="GUARDIAN_URL"):
        load_profile("guardian")


def test_staging_has_a_guardian_only_when_its_address_is_given(guardian_environment, monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.test")
    assert load_profile("staging").area("guardian")["env"] == "staging"
    monkeypatch.delenv("GUARDIAN_URL")
    assert "guardian" not in load_profile("staging").areas


@pytest.mark.parametrize("line, message", [
    ("  project: Mirror_Dissonance", "key 'guardian.project'"),
    ("  breaker: {threshold: 10, key_separator: '/'}", "key 'guardian.breaker.key_separator'"),
    ("  consent: {primary_scope: analytics, secondary_scope: analytics}", "must differ"),
    ("  budgets: {record_p95: 0.2}", "key 'guardian.budgets'"),
])
def test_a_bad_guardian_value_is_named_with_its_file_and_key(tmp_path, guardian_environment, line, message):
    path = tmp_path / "custom.yaml"
    path.write_text(f"extends: guardian\nguardian:\n{line}\n")
    with pytest.raises(ProfileError) as error:
        load_profile(str(path))
    assert message in str(error.value) and "custom.yaml" in str(error.value)
