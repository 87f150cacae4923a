"""`make acceptance JOBS=N` (tools/parallel.py): lanes, shards, and one report from several processes."""
import json
import os
import subprocess
import sys

import pytest
from behave.configuration import Configuration
from behave.runner_util import parse_features

from support.costs import RunCost, ScenarioCost, lane_file
from support.reporting import NOT_SELECTED
from tools.parallel import ShardError, merge_allure, merge_costs, merge_junit, plan_lanes, shard

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = [f"features/x/{name}.feature" for name in "abcdefg"]


def test_a_shard_is_every_nth_file_in_path_order_and_the_shards_cover_each_file_once():
    parts = [shard(reversed(FILES), f"{k}/3") for k in (1, 2, 3)]
    assert parts[0] == ["features/x/a.feature", "features/x/d.feature", "features/x/g.feature"]
    assert sorted(sum(parts, [])) == FILES
    assert shard(FILES, "2/3") == shard(list(FILES), "2/3"), "the same files give the same shard"


@pytest.mark.parametrize("spec", ["0/3", "4/3", "1-3", "a/b"])
def test_a_bad_shard_is_refused_with_its_form(spec):
    with pytest.raises(ShardError, match="SHARD"):
        shard(FILES, spec)


def _suite(tmp_path):
    files = {
        "p1.feature": "@preview @serial\nFeature: p1\n  Scenario: a\n    Given x\n  Scenario: b\n    Given x\n",
        "p2.feature": "@preview @performance @serial\nFeature: p2\n  Scenario: c\n    Given x\n",
        "g1.feature": "@gateway\nFeature: g1\n  Scenario: d\n    Given x\n  Scenario: e\n    Given x\n"
                      "  @serial\n  Scenario: f\n    Given x\n",
        "s1.feature": "@studio\nFeature: s1\n  Scenario: g\n    Given x\n  @slow\n  Scenario: h\n    Given x\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    paths = sorted(str(tmp_path / name) for name in files)
    config = Configuration(["--tags=not @slow", *paths], load_config=False)
    return parse_features(paths, language="en"), config


def _lanes(lanes):
    return [(lane.name, [os.path.basename(f) for f in lane.files], lane.weight, lane.tags) for lane in lanes]


def test_an_all_serial_area_has_a_lane_beside_the_parallel_one_and_the_rest_runs_alone_after_them(tmp_path):
    features, config = _suite(tmp_path)
    first, last = plan_lanes(features, config, "not @slow", 2)
    assert _lanes(first) == [
        ("serial-preview", ["p1.feature"], 2, "(not @slow) and @preview and @serial and not @performance"),
        ("lane-1", ["g1.feature", "s1.feature"], 3, "(not @slow) and not @serial and not @performance")]
    assert _lanes([last]) == [("serial", ["g1.feature", "p2.feature"], 2,
                               "(not @slow) and (@serial or @performance) and not (@preview and not @performance)")]


def test_one_job_runs_the_parallel_scenarios_then_every_serial_one(tmp_path):
    features, config = _suite(tmp_path)
    first, last = plan_lanes(features, config, "not @slow", 1)
    assert _lanes(first) == [("lane-1", ["g1.feature", "s1.feature"], 3,
                              "(not @slow) and not @serial and not @performance")]
    assert _lanes([last]) == [("serial", ["g1.feature", "p1.feature", "p2.feature"], 4,
                               "(not @slow) and (@serial or @performance)")]


def test_three_jobs_spread_the_parallel_features_over_two_lanes(tmp_path):
    features, config = _suite(tmp_path)
    first, _last = plan_lanes(features, config, "not @slow", 3)
    assert [(name, files, weight) for name, files, weight, _tags in _lanes(first)] == [
        ("serial-preview", ["p1.feature"], 2), ("lane-1", ["g1.feature"], 2), ("lane-2", ["s1.feature"], 1)]


def _result(folder, name, history, status, message=None, stop=1):
    result = {"uuid": name, "historyId": history, "status": status, "stop": stop}
    if message:
        result["statusDetails"] = {"message": message}
    (folder / f"{name}-result.json").write_text(json.dumps(result))


def test_one_allure_result_per_scenario_is_left_the_one_that_ran(tmp_path):
    _result(tmp_path, "ran", "h1", "passed", stop=1)
    _result(tmp_path, "listed", "h1", "skipped", f"{NOT_SELECTED} (@serial)", stop=5)
    _result(tmp_path, "only-listed-a", "h2", "skipped", f"{NOT_SELECTED} (x)", stop=1)
    _result(tmp_path, "only-listed-b", "h2", "skipped", f"{NOT_SELECTED} (y)", stop=2)
    _result(tmp_path, "invalid", "h3", "skipped", "invalid run, the machine was too busy")
    assert merge_allure(str(tmp_path)) == 2
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "invalid-result.json", "only-listed-b-result.json", "ran-result.json"]


def _junit(folder, cases):
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f'<testcase classname="f.x" name="{name}" status="{status}" time="1.0">'
                   + ("<skipped />" if status == "skipped" else "<failure message='m' />" if status == "failed" else "")
                   + "</testcase>" for name, status in cases)
    (folder / "TESTS-f.xml").write_text(f'<testsuite name="f.x" tests="{len(cases)}">{body}</testsuite>')


def test_each_junit_test_case_is_taken_from_the_lane_that_ran_it(tmp_path):
    _junit(tmp_path / "lane-1", [("a", "passed"), ("b", "skipped"), ("c", "skipped")])
    _junit(tmp_path / "serial", [("a", "skipped"), ("b", "failed"), ("c", "skipped")])
    assert merge_junit([str(tmp_path / "lane-1"), str(tmp_path / "serial")], str(tmp_path)) == 1
    import xml.etree.ElementTree as ElementTree
    suite = ElementTree.parse(tmp_path / "TESTS-f.xml").getroot()
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3", "failures": "1", "errors": "0", "skipped": "1"}
    assert [(case.get("name"), case.get("status")) for case in suite.findall("testcase")] == [
        ("a", "passed"), ("b", "failed"), ("c", "skipped")]


def test_the_lanes_cost_accounts_add_up_and_the_sum_is_held_to_the_run_limit(tmp_path):
    costs = {"report_file": str(tmp_path / "run-cost.json"), "run_limit_usd": 0.01}

    class Lane:
        def __init__(self, name):
            self.name = name

    for lane, usd in (("lane-1", 0.004), ("serial", 0.005)):
        run = RunCost([ScenarioCost("preview", f"s-{lane}", "passed", 1.0, usd)])
        with open(lane_file(costs["report_file"], lane), "w") as handle:
            handle.write(run.to_json())
    said = []
    assert merge_costs(costs, [Lane("lane-1"), Lane("serial")], said.append)
    with open(costs["report_file"]) as handle:
        merged = json.load(handle)
    assert merged["summary"]["scenarios"] == 2 and merged["summary"]["estimated_usd"] == pytest.approx(0.009)
    assert said == [f"run cost over 2 lane(s): 0.009000 USD of 0.01 USD allowed ({costs['report_file']})"]
    costs["run_limit_usd"] = 0.008
    assert not merge_costs(costs, [Lane("lane-1"), Lane("serial")], said.append), "each lane is under, the run is not"


def test_two_lanes_share_one_stack_and_write_one_report(tmp_path):
    """The studio and gateway's default sets in two lanes and a serial one, against one stack."""
    env = {**os.environ, "ACCEPTANCE_STACK_STATE": str(tmp_path / "state.json"),
           "ALLURE_RESULTS_DIR": str(tmp_path / "results"), "ACCEPTANCE_PROFILE": "local"}
    run = subprocess.run([sys.executable, "-m", "tools.parallel", "--jobs", "2", "--tags",
                          "(@gateway or @studio) and not @slow and not @costly", "--junit-directory",
                          str(tmp_path / "junit")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    assert output.count("embedded stack started") == 1, "one stack for every lane"
    assert output.count("embedded stack attached to") == 3, "lane-1, lane-2 and serial attach to it"
    lanes = {line.split()[0][1:-1]: line.split()[2] for line in output.splitlines() if line.split()[1:2] == ["run"]}
    assert sorted(lanes) == ["lane-1", "lane-2", "serial"] and len(set(lanes.values())) == 3, lanes
    results = [json.loads(path.read_text()) for path in (tmp_path / "results").glob("*-result.json")]
    assert len(results) == len({result["historyId"] for result in results}), "one result per scenario"
    assert not os.path.exists(tmp_path / "state.json"), "the runner stops the stack it started"
    environment = (tmp_path / "results" / "environment.properties").read_text()
    assert f"run.id={', '.join(f'{lane} {run_id}' for lane, run_id in sorted(lanes.items()))}" in environment
