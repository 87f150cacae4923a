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
    (lambda d: d["preview"].pop("budgets"), "missing key 'preview.budgets'"),
    (lambda d: d["preview"].update(endpoints={"load_balancer": "not a url"}), "key 'preview.endpoints.load_balancer'"),
    (lambda d: d["preview"]["budgets"].update(cold_start=-1), "key 'preview.budgets'"),
    (lambda d: d.update(colour="blue"), "unknown key 'colour'"),
    (lambda d: d["preview"].update(names={"sessions_table": "x"}), "missing key 'preview.names.cluster'"),
    (lambda d: d["polling"].update(interval_s="fast"), "key 'polling.interval_s'"),
    (lambda d: d["studio"].update(host="localhost"), "key 'studio.host'"),
])
def test_a_bad_value_is_named_with_its_file_and_key(tmp_path, change, message):
    path = write_profile(tmp_path, change)
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert message in str(error.value)
    assert "custom.yaml" in str(error.value)


def test_a_missing_environment_variable_is_named(monkeypatch):
    monkeypatch.delenv("PREVIEW_ALB_URL", raising=False)
    with pytest.raises(ProfileError, match="preview.endpoints.load_balancer.*PREVIEW_ALB_URL"):
        load_profile("staging")


def test_staging_takes_its_endpoint_from_the_environment(monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.test")
    profile = load_profile("staging")
    assert profile.area("preview")["endpoints"]["load_balancer"] == "https://preview.example.test"
    assert profile.budgets["cold start"].limit == 60


def test_an_unknown_budget_lists_the_known_ones():
    with pytest.raises(KeyError, match="cold_start"):
        load_profile("local").budgets["warp speed"]


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("budgets: [unclosed")
    with pytest.raises(ProfileError, match="broken.yaml: not valid YAML"):
        load_profile(str(path))


@pytest.mark.parametrize("change, message", [
    (lambda d: d["studio"].update(host="127.0.0.1"), "key 'studio.host'"),
    (lambda d: d["studio"]["stop_condition"].update(failure_rate_percent=120), "key 'studio.stop_condition.failure_rate_percent'"),
    (lambda d: d["studio"]["dataset"].update(effect_revision_id="latest"), "key 'studio.dataset.effect_revision_id'"),
    (lambda d: d["studio"]["tokens"].pop("admin"), "missing key 'studio.tokens.admin'"),
    (lambda d: d["studio"].update(quality_provider_key="maybe"), "key 'studio.quality_provider_key'"),
])
def test_a_bad_studio_value_is_named_with_its_file_and_key(tmp_path, change, message):
    path = write_profile(tmp_path, change)
    with pytest.raises(ProfileError) as error:
        load_profile(path)
    assert message in str(error.value) and "custom.yaml" in str(error.value)


def test_staging_without_a_studio_base_url_has_no_studio(monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.test")
    monkeypatch.delenv("STUDIO_BASE_URL", raising=False)
    assert "studio" not in load_profile("staging").data


def test_staging_takes_the_studio_from_the_environment(monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.test")
    for name, value in {"STUDIO_BASE_URL": "https://studio.example.test", "STUDIO_HOST": "acme.studio.example.test",
                        "STUDIO_ADMIN_TOKEN": "t", "STUDIO_EFFECT_REVISION_ID": "7",
                        "STUDIO_UNROUTED_EFFECT_REVISION_ID": "8", "STUDIO_INPUT_FILE_ID": "9",
                        "STUDIO_BASELINE_ENVIRONMENT_ID": "3", "STUDIO_RETIRED_ENVIRONMENT_ID": "4",
                        "STUDIO_SMOKE_LOAD_TEST_ID": "1", "STUDIO_SMOKE_LOAD_TEST_DISPATCHES": "20",
                        "STUDIO_SUSTAINED_LOAD_TEST_ID": "2", "STUDIO_SUSTAINED_LOAD_TEST_DISPATCHES": "600"}.items():
        monkeypatch.setenv(name, value)
    studio = load_profile("staging")["studio"]
    assert (studio["base_url"], studio["host"], studio["dataset"]["effect_revision_id"]) == (
        "https://studio.example.test", "acme.studio.example.test", 7)
    assert studio["tokens"]["non_admin"] is None and studio["stop_condition"]["window_s"] == 600


def test_a_profile_extends_another_and_overrides_only_what_differs(tmp_path):
    path = tmp_path / "quick.yaml"
    path.write_text("extends: local\ndescription: local with a slower cold start\n"
                    "preview:\n  budgets:\n    cold_start: 30\n")
    profile = load_profile(str(path))
    assert profile.budgets["cold start"].limit == 30
    assert profile.budgets["idle shutdown"].limit == load_profile("local").budgets["idle shutdown"].limit
    assert profile.where("preview.budgets.cold_start").endswith("quick.yaml")
    assert profile.where("preview.budgets.idle_shutdown") == "config/profiles/local.yaml"


def test_a_bad_value_in_an_extended_profile_names_the_file_it_came_from(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("extends: local\npolling:\n  interval_s: fast\n")
    with pytest.raises(ProfileError, match=r"broken.yaml: key 'polling.interval_s'"):
        load_profile(str(path))


def test_a_profile_may_not_extend_itself_in_a_circle(tmp_path):
    (tmp_path / "a.yaml").write_text(f"extends: {tmp_path / 'b.yaml'}\n")
    (tmp_path / "b.yaml").write_text(f"extends: {tmp_path / 'a.yaml'}\n")
    with pytest.raises(ProfileError, match="circle"):
        load_profile(str(tmp_path / "a.yaml"))


def test_from_stack_values_come_from_the_state_file_and_unpublished_areas_are_left_out():
    state = {"areas": ["studio"], "studio": {"base_url": "http://127.0.0.1:9"}}
    profile = load_profile("local").with_stack(state)
    assert profile.areas == ["studio"]
    assert profile.area("studio")["base_url"] == "http://127.0.0.1:9"


def test_a_budget_named_by_two_areas_is_refused(tmp_path):
    path = write_profile(tmp_path, lambda d: d["studio"]["budgets"].update(cold_start=1))
    with pytest.raises(ProfileError, match="'cold_start' is named by two areas"):
        load_profile(path)


def test_an_empty_variable_takes_the_default_as_in_the_shell(monkeypatch):
    monkeypatch.setenv("PREVIEW_ALB_URL", "https://preview.example.test")
    monkeypatch.setenv("PREVIEW_CLUSTER", "")
    assert load_profile("staging").area("preview")["names"]["cluster"] == "webordinary-edit-cluster"
