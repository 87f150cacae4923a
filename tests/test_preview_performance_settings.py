"""A bad performance section stops the run when the profile is loaded, before any load is sent."""
import pytest
import yaml

from support.config import ProfileError, load_profile
from support.preview.performance.settings import PerformanceSettings, check_loads


def write_profile(tmp_path, change):
    with open("config/profiles/local.yaml") as handle:
        data = yaml.safe_load(handle)
    change(data["preview"]["performance"])
    path = tmp_path / "custom.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def burst(**thresholds):
    return {"size": 4, "thresholds": thresholds}


@pytest.mark.parametrize("change, message", [
    (lambda p: p["loads"].update(burst=burst(session_success=["rate>>0.95"])),
     "key 'preview.performance.loads': load 'burst': threshold 'rate>>0.95' for session_success does not parse"),
    (lambda p: p["loads"].update(burst=burst(sessions_started=["rate>0.95"])),
     "load 'burst': unknown metric 'sessions_started'"),
    (lambda p: p["loads"]["short sustained"].update(arrivals_per_minute=-10),
     "load 'short sustained': arrivals_per_minute is -10; expected a number above 0"),
    (lambda p: p["loads"]["short sustained"].update(duration_s=0),
     "load 'short sustained': duration_s is 0; expected a number of seconds above 0"),
    (lambda p: p["loads"]["burst"].update(size=0), "load 'burst': size is 0"),
    (lambda p: p["loads"]["burst"].update(rate=3), "unknown key(s) rate"),
    (lambda p: p["loads"]["burst"].pop("thresholds"), "load 'burst': thresholds must map"),
    (lambda p: p["generator"].update(min_rate_share=1.5), "key 'preview.performance.generator.min_rate_share'"),
    (lambda p: p["start_times"].update(warm_share_of_cold=2), "key 'preview.performance.start_times.warm_share_of_cold'"),
    (lambda p: p.update(colour="blue"), "unknown key 'preview.performance.colour'"),
])
def test_a_bad_performance_setting_is_named_with_its_file_and_key(tmp_path, change, message):
    with pytest.raises(ProfileError) as error:
        load_profile(write_profile(tmp_path, change))
    assert message in str(error.value)
    assert "custom.yaml" in str(error.value)


def test_the_local_loads_are_scaled_down_from_the_seed():
    settings = PerformanceSettings(load_profile("local"))
    short, full, burst_load = (settings.load(name) for name in ("short sustained", "sustained", "burst"))
    assert short.plan.duration_s <= 15 and short.plan.count >= 4
    assert (full.plan.rate * 60, full.plan.count) == (10, 20)
    assert burst_load.plan.rate is None and burst_load.plan.count == 4
    assert {"session_start", "session_success", "cpu_utilization", "memory_utilization"} <= short.metrics


def test_an_unknown_load_lists_the_known_ones():
    with pytest.raises(KeyError, match="burst"):
        PerformanceSettings(load_profile("local")).load("stampede")


def test_check_loads_accepts_a_steady_load_and_a_burst():
    assert check_loads({"steady": {"arrivals_per_minute": 6, "duration_s": 10, "thresholds": {
        "session_start": ["p(95)<2000"]}}, "burst": burst(session_success=["rate>=0.8"])})
