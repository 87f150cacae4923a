"""The studio's parts without a process: the dispatch model, validation, quality scoring with and
without a provider key, and an executor without a secret."""
from pathlib import Path

import pytest
import yaml

from stack.studio import model
from stack.studio.actions import ActionLog
from stack.studio.api import Refused
from stack.studio.load_tests import LoadTests, due_offsets, planned_dispatches
from stack.studio.quality import Quality
from stack.studio.store import SEED_PATH, Store
from stack.studio.validation import Field, Invalid, path_id, validate

FAST_A10G = model.Variant("er:101:wf:11:env:21:stage:staging:exp:0", 0.20, 2.0, 0.03, 0.78, 1.0, 0.010, 0.5, 0.4)


def no_fault(_name):
    return False


@pytest.fixture
def store(tmp_path):
    store = Store(str(tmp_path / "studio.sqlite"))
    yield store
    store.close()


def test_a_dispatch_depends_only_on_its_variant_and_sequence_number():
    assert [model.dispatch(FAST_A10G, seq) for seq in range(50)] == [model.dispatch(FAST_A10G, seq) for seq in range(50)]
    assert model.dispatch(FAST_A10G, 1) != model.dispatch(FAST_A10G, 2)


def test_a_failing_variant_fails_about_as_often_as_its_rate():
    flaky = model.Variant("flaky", 0.20, 2.0, 0.03, 0.78, 1.2, 0.005, 35, 0.5)
    metrics = model.aggregate([model.dispatch(flaky, seq) for seq in range(1, 1001)])
    assert 30 < metrics["failure_rate_percent"] < 40
    assert metrics["estimated_revenue_usd"] == pytest.approx(0.20 * metrics["success_count"])
    assert metrics["margin_usd"] == pytest.approx(
        metrics["estimated_revenue_usd"] - metrics["compute_cost_usd"] - metrics["partner_cost_usd"], abs=1e-3)


def test_p95_is_the_nearest_rank():
    assert model.p95([]) == 0
    assert model.p95(list(range(1, 101))) == 95
    assert model.p95([7]) == 7


def test_a_scenario_plan_paces_its_dispatches():
    stages = [{"rps": 40, "seconds": 1}, {"rps": 10, "seconds": 2}]
    offsets = due_offsets(stages)
    assert planned_dispatches(stages) == len(offsets) == 60
    assert offsets[39] < 1.0 <= offsets[40] and offsets[-1] < 3.0


@pytest.mark.parametrize("body, field, message", [
    ({}, "runs", "The runs field is required."),
    ({"runs": "many"}, "runs", "The runs field must be an integer."),
    ({"runs": 0}, "runs", "The runs field must be between 1 and 100."),
    ({"runs": 5, "stage": "qa"}, "stage", "The selected stage is invalid."),
    ({"runs": 5, "note": "x" * 11}, "note", "The note field must not be greater than 10 characters."),
    ({"runs": 5, "flag": "perhaps"}, "flag", "The flag field must be true or false."),
])
def test_validation_names_each_bad_field_as_laravel_does(body, field, message):
    spec = {"runs": Field("integer", required=True, minimum=1, maximum=100),
            "stage": Field("string", choices=("staging",)), "note": Field("string", maximum=10),
            "flag": Field("boolean")}
    with pytest.raises(Invalid) as refused:
        validate(body, spec)
    assert refused.value.errors == {field: [message]}


def test_query_text_is_accepted_where_it_is_a_number_or_a_flag():
    spec = {"runs": Field("integer"), "flag": Field("boolean", default=False)}
    assert validate({"runs": "7", "flag": "1"}, spec) == {"runs": 7, "flag": True}
    assert validate({}, spec) == {"runs": None, "flag": False}


@pytest.mark.parametrize("text, expected", [("12", 12), ("0", None), ("-3", None), ("abc", None),
                                            (str(2**63), None), ("", None)])
def test_a_path_id_beyond_what_sqlite_can_hold_is_not_found(text, expected):
    assert path_id(text) == expected


def test_the_seed_is_loaded_once(tmp_path):
    path = str(tmp_path / "studio.sqlite")
    Store(path).close()
    again = Store(path)
    assert again.one("SELECT COUNT(*) AS n FROM routing_bindings")["n"] == 2
    again.close()


def test_with_a_provider_key_the_score_follows_the_variant_and_nothing_is_logged(store, monkeypatch):
    monkeypatch.setenv("STUDIO_GEMINI_API_KEY", "test-key")
    quality = Quality(store, ActionLog(store, no_fault), no_fault)
    evaluation = quality.create({"input_ref": "in", "output_ref": "s3://out/1.png"})
    assert evaluation["result_json"] == {"provider": "gemini", "model": "gemini-embedded"}
    assert 0.65 <= evaluation["composite_score"] <= 0.75 and evaluation["composite_score"] != 0.5
    assert ActionLog(store, no_fault).list() == []


def test_an_executor_without_a_secret_is_unavailable(tmp_path):
    seed = yaml.safe_load(Path(SEED_PATH).read_text())
    seed["executor_secret"] = None
    (tmp_path / "seed.yaml").write_text(yaml.safe_dump(seed))
    store = Store(str(tmp_path / "studio.sqlite"), seed_path=str(tmp_path / "seed.yaml"))
    load_tests = LoadTests(store, ActionLog(store, no_fault), {}, no_fault, background=None)
    with pytest.raises(Refused) as refused:
        load_tests.submit("anything", {})
    assert (refused.value.status, refused.value.message) == (503, "Studio executor is not configured.")
    store.close()
