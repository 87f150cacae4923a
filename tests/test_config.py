"""A bad profile stops the run with one message naming the file and the key."""
import pytest
import yaml

from support.config import ProfileError, load_profile


def write_profile(tmp_path, change):
    with open("config/profiles/local.yaml") as handle:
        data = yaml.safe_load(handle)
    change(data)
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_local_profile_is_valid():
    profile = load_profile("local")
    assert profile.embedded
    assert profile.budgets["cold start"].limit > 0


def test_unknown_profile_names_the_known_ones():
    with pytest.raises(ProfileError, match="no such profile.*local"):
        load_profile("nowhere")


@pytest.mark.parametrize("change, message", [
    (lambda d: d.pop("budgets"), "missing key 'budgets'"),
    (lambda d: d["endpoints"].update(load_balancer="not a url"), "key 'endpoints.load_balancer'"),
    (lambda d: d["budgets"].update(cold_start=-1), "key 'budgets'"),
    (lambda d: d.update(colour="blue"), "unknown key 'colour'"),
    (lambda d: d["names"].pop("cluster"), "missing key 'names.cluster'"),
    (lambda d: d["polling"].update(interval_s="fast"), "key 'polling.interval_s'"),
])
def test_a_bad_value_is_named_with_its_file_and_key(tmp_path, change, message):
    path = write_profile(tmp_path, change)
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert message in str(error.value)
    assert "custom.yaml" in str(error.value)


def test_a_missing_environment_variable_is_named(monkeypatch):
    monkeypatch.delenv("PREVIEW_ALB_URL", raising=False)
    with pytest.raises(ProfileError, match="endpoints.load_balancer.*PREVIEW_ALB_URL"):
        load_profile("staging")


def test_staging_takes_its_endpoint_from_the_environment(monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.test")
    profile = load_profile("staging")
    assert profile["endpoints"]["load_balancer"] == "https://preview.example.test"
    assert profile.budgets["cold start"].limit == 60


def test_an_unknown_budget_lists_the_known_ones():
    with pytest.raises(KeyError, match="cold_start"):
        load_profile("local").budgets["warp speed"]


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("budgets: [unclosed")
    with pytest.raises(ProfileError, match="broken.yaml: not valid YAML"):
        load_profile(str(path))
