"""The fault mechanism: the areas' declarations merged, the active set seeded at start, switched at
run time per area, and seen by another process as soon as it changes."""
import subprocess
import sys

import pytest

from stack import faults


@pytest.fixture
def settings(tmp_path):
    settings = {"runtime_dir": str(tmp_path), "faults": ["no_scale_up"]}
    faults.initialise(settings, settings["faults"])
    return settings


def test_every_fault_is_declared_by_exactly_one_area():
    areas = {faults.area_of(name) for name in faults.declared()}
    assert areas == set(faults.areas()) == {"preview", "studio", "gateway", "guardian"}
    assert faults.area_of("no_scale_up") == "preview" and faults.area_of("money_hud_wrong_winner") == "studio"


def test_the_start_up_set_is_active_and_nothing_else(settings):
    assert faults.active(settings, "no_scale_up")
    assert not faults.active(settings, "money_hud_wrong_winner")


def test_a_switch_replaces_the_areas_run_time_faults_only(settings):
    assert faults.switch(settings, "studio", ["money_hud_wrong_winner"]) == ["money_hud_wrong_winner"]
    assert faults.switch(settings, "preview", ["api_not_routed"]) == ["api_not_routed"]
    assert faults.active(settings, "money_hud_wrong_winner") and faults.active(settings, "api_not_routed")
    assert not faults.active(settings, "no_scale_up")
    assert faults.switch(settings, "studio", []) == []
    assert not faults.active(settings, "money_hud_wrong_winner")


def test_a_startup_only_fault_stays_on_and_cannot_be_switched(tmp_path):
    settings = {"runtime_dir": str(tmp_path)}
    faults.initialise(settings, ["gateway_chart_replicas_capped"])
    assert faults.switch(settings, "gateway", ["gateway_cancel_ignored"]) == [
        "gateway_cancel_ignored", "gateway_chart_replicas_capped"]
    with pytest.raises(faults.StartupOnly, match="gateway_chart_scaler_drift can only be given at start"):
        faults.switch(settings, "gateway", ["gateway_chart_scaler_drift"])


@pytest.mark.parametrize("names, message", [
    (["no_such_fault"], "unknown preview fault.s. no_such_fault; known: .*api_not_routed"),
    (["money_hud_wrong_winner"], "unknown preview fault.s. money_hud_wrong_winner"),
])
def test_a_name_the_area_does_not_declare_is_refused(settings, names, message):
    with pytest.raises(faults.UnknownFault, match=message):
        faults.switch(settings, "preview", names)
    assert faults.active(settings, "no_scale_up")


def test_an_unknown_start_up_fault_is_refused():
    with pytest.raises(faults.UnknownFault, match="unknown fault.s. nope in STACK_FAULTS"):
        faults.parse("no_scale_up, nope")


def test_another_process_sees_a_switch_at_once(settings):
    check = ("import sys; from stack import faults; "
             f"sys.exit(0 if faults.active({settings!r}, 'api_not_routed') else 3)")
    assert subprocess.run([sys.executable, "-c", check]).returncode == 3
    faults.switch(settings, "preview", ["api_not_routed"])
    assert subprocess.run([sys.executable, "-c", check]).returncode == 0


def test_a_process_that_already_read_the_set_sees_each_change(settings):
    for names in (["api_not_routed"], ["api_not_routed", "no_scale_up"], ["no_scale_up"], []):
        faults.switch(settings, "preview", names)
        assert [name for name in ("api_not_routed", "no_scale_up") if faults.active(settings, name)] == names


def test_settings_without_a_runtime_file_use_their_own_list(tmp_path):
    assert faults.active({"runtime_dir": str(tmp_path), "faults": ["api_not_routed"]}, "api_not_routed")
    assert not faults.active({"faults": []}, "api_not_routed")
