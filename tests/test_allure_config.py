"""The report built as `make report` builds it: grouped by area, feature and scenario, failures in
the suite's categories, known defects linked to their issue, history kept between builds, and a
quality gate that fails on a failure or on missing scenarios."""
import base64
import json
import re
import uuid

import pytest

from support.reporting import executor, scenario_labels
from tests.allure_build import AWESOME, allure, scratch_project

SCENARIOS = [  # (epic, feature, story, status, message)
    ("Preview platform", "Cold start", "A first instruction starts a container", "passed", None),
    ("Preview platform", "Cold start", "An idle session is shut down", "failed",
     "Expected: the session is expired\n     but: was 'active'"),
    ("Preview platform", "Routing", "A preview answers through the load balancer", "broken",
     "httpx.ConnectError: [Errno 111] Connection refused"),
    ("Studio admin", "Rules", "A variant's id is stable", "broken", "KeyError: 'variant'"),
    ("Studio admin", "Rules", "A finished load test cannot be cancelled", "failed",
     "Expected: refused\n     but: the load test was cancelled twice"),
]


def write_results(folder, scenarios=SCENARIOS):
    folder.mkdir(parents=True, exist_ok=True)
    for epic, feature, story, status, message in scenarios:
        result = {"name": story, "fullName": f"{feature}: {story}", "status": status, "uuid": str(uuid.uuid4()),
                  "historyId": f"{feature}:{story}", "testCaseId": f"{feature}:{story}",
                  "start": 1_700_000_000_000, "stop": 1_700_000_001_000,
                  "labels": [{"name": "epic", "value": epic}, {"name": "feature", "value": feature},
                             {"name": "story", "value": story}]}
        if message:
            result["statusDetails"] = {"message": message, "trace": "Traceback"}
        (folder / f"{result['uuid']}-result.json").write_text(json.dumps(result))
    (folder / "environment.properties").write_text("profile=local\ntarget=embedded\n")


@pytest.fixture
def project(tmp_path):
    return scratch_project(tmp_path)


def build(project, results="results", report="report"):
    run = allure(project, "awesome", *AWESOME, results, "-o", report)
    assert run.returncode == 0, run.stdout + run.stderr
    html = (project / report / "index.html").read_text()
    return {path: json.loads(base64.b64decode(data)) for path, data in re.findall(r'd\("([^"]+)","([A-Za-z0-9+/=]+)"\)',
                                                                                 html) if path.endswith(".json")}


def tree_paths(files):
    """Every leaf of the report's tree as (group, group, ..., test name)."""
    tree = files["widgets/tree.json"]
    paths = []

    def walk(group_ids, prefix):
        for group_id in group_ids:
            group = tree["groupsById"][group_id]
            walk(group.get("groups", []), prefix + (group["name"],))
            paths.extend(prefix + (group["name"], tree["leavesById"][leaf]["name"]) for leaf in group.get("leaves", []))

    walk(tree["root"]["groups"], ())
    assert tree["root"].get("leaves", []) == []
    return sorted(paths)


def categories(files):
    """{category name: sorted test names} from the report's categories widget."""
    store = files["widgets/categories.json"]
    nodes = store["nodes"]

    def tests_under(node_id):
        node = nodes[node_id]
        if node["type"] == "tr":
            return [node["name"]]
        return [name for child in node.get("childrenIds", []) for name in tests_under(child)]

    return {nodes[root]["name"]: sorted(tests_under(root)) for root in store["roots"]}


def test_the_tree_is_area_then_feature_then_scenario(project):
    write_results(project / "results")
    assert tree_paths(build(project)) == sorted((epic, feature, story, story) for epic, feature, story, *_ in SCENARIOS)


def test_failures_fall_into_the_suites_categories(project):
    write_results(project / "results")
    assert categories(build(project)) == {
        "Target unreachable": ["A preview answers through the load balancer"],
        "Product defects (an assertion about the system failed)":
            ["A finished load test cannot be cancelled", "An idle session is shut down"],
        "Suite errors (a step crashed)": ["A variant's id is stable"],
    }


def test_a_documented_known_defect_is_filed_apart_and_linked_to_its_issue(project):
    (project / "known-defects.json").write_text(json.dumps({"tracker": "https://tracker.example/issues/%s", "defects": [
        {"issue": "42", "message": "cancelled twice", "comment": "cancelling twice is not refused yet"}]}))
    write_results(project / "results")
    files = build(project)
    assert categories(files)["Known defects"] == ["A finished load test cannot be cancelled"]
    assert "A finished load test cannot be cancelled" not in categories(files)[
        "Product defects (an assertion about the system failed)"]
    known = json.loads((project / "allure-report" / "known-issues.json").read_text())["resolutionIssues"]
    assert [(issue["id"], [t["name"] for t in issue["testResults"].values()]) for issue in known] == [
        ("42", ["A finished load test cannot be cancelled"])]


def test_known_defects_without_a_tracker_are_refused_with_a_reason(project):
    (project / "known-defects.json").write_text(json.dumps({"tracker": None, "defects": [
        {"issue": "42", "message": "x", "comment": "y"}]}))
    write_results(project / "results")
    run = allure(project, "awesome", *AWESOME, "results", "-o", "report")
    assert run.returncode != 0 and 'lists defects but no "tracker"' in run.stdout + run.stderr


def test_history_is_kept_between_builds_so_the_report_shows_a_trend(project):
    write_results(project / "results")
    build(project)
    fixed = [(e, f, s, "passed", None) if s == "An idle session is shut down" else (e, f, s, st, m)
             for e, f, s, st, m in SCENARIOS]
    write_results(project / "results2", fixed)
    files = build(project, "results2", "report2")
    assert len((project / ".allure" / "history.jsonl").read_text().splitlines()) == 2
    fixed_result = next(data for path, data in files.items()
                        if path.startswith("data/test-results/") and data["name"] == "An idle session is shut down")
    assert (fixed_result["status"], [h["status"] for h in fixed_result["history"]]) == ("passed", ["failed"])
    dynamics = next(chart for chart in files["widgets/charts.json"]["general"].values()
                    if chart["type"] == "statusDynamics")
    assert [point["statistic"].get("failed", 0) for point in dynamics["data"]] == [2, 1]


def test_the_environment_of_the_run_is_shown(project):
    write_results(project / "results")
    environment = build(project)["widgets/allure_environment.json"]
    assert {"name": "profile", "values": ["local"]} in environment, environment


def test_the_quality_gate_fails_on_a_failure_and_on_missing_scenarios(project):
    write_results(project / "failing")
    run = allure(project, "quality-gate", "failing", "--max-failures", "0", "--min-tests-count", "5")
    assert run.returncode == 1 and "number of failed tests" in run.stdout + run.stderr, run.stdout + run.stderr
    passing = [s for s in SCENARIOS if s[3] == "passed"]
    write_results(project / "passing", passing)
    assert allure(project, "quality-gate", "passing", "--max-failures", "0", "--min-tests-count", "1").returncode == 0
    run = allure(project, "quality-gate", "passing", "--max-failures", "0", "--min-tests-count", "2")
    assert run.returncode == 1, run.stdout + run.stderr


def test_on_github_actions_the_executor_links_the_build():
    found = executor("20261128T0800", {"GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://github.com",
                                       "GITHUB_REPOSITORY": "acme/suite", "GITHUB_RUN_ID": "991",
                                       "GITHUB_RUN_NUMBER": "17", "GITHUB_WORKFLOW": "acceptance"})
    assert found["buildUrl"] == "https://github.com/acme/suite/actions/runs/991"
    assert found["buildName"] == "acceptance #17 (20261128T0800)" and found["buildOrder"] == 17
    assert executor("x", {})["name"] == "local" and "buildUrl" not in executor("x", {})


class _Scenario:
    def __init__(self, name, tags, row=None):
        self.name, self.effective_tags, self._row = name, tags, row


@pytest.mark.parametrize("scenario, labels", [
    (_Scenario("A burst is served", ["preview", "performance", "perf_smoke"]),
     [("epic", "Preview platform"), ("story", "A burst is served")]),
    (_Scenario("A refused activation -- @1.2 bad client", ["preview", "smoke"], row=object()),
     [("epic", "Preview platform"), ("story", "A refused activation"), ("severity", "critical")]),
    (_Scenario("No area at all", []), [("story", "No area at all")]),
])
def test_a_scenario_gets_one_epic_and_its_outlines_name_as_story(scenario, labels):
    assert scenario_labels(scenario) == labels
