"""The report is a real single-file Allure 3 report that names the scenarios that ran."""
import base64
import json
import os
import re
import subprocess
import sys

from tests.allure_build import build_report, scratch_project

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def embedded_files(html):
    """The single-file report carries its data as d("path", "<base64>") calls."""
    return {path: base64.b64decode(data).decode("utf-8", "replace")
            for path, data in re.findall(r'd\("([^"]+)","([A-Za-z0-9+/=]+)"\)', html)}


def test_the_report_names_every_scenario_that_ran(tmp_path):
    results, report = tmp_path / "results", tmp_path / "report"
    env = {**os.environ, "ACCEPTANCE_STACK_STATE": str(tmp_path / "state.json"), "STACK_FAULTS": "",
           "ALLURE_RESULTS_DIR": str(results)}
    run = subprocess.run(
        [sys.executable, "-m", "behave", "features/preview/cold_start.feature", "--no-junit",
         "--name", "An activation with missing or malformed details"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert (results / "environment.properties").read_text().startswith("profile=local")
    assert json.loads((results / "executor.json").read_text())["type"] == "behave"

    index = build_report(scratch_project(tmp_path), results, report)
    files = embedded_files(open(index).read())
    names = {json.loads(text)["name"] for path, text in files.items() if path.startswith("data/test-results/")}
    assert len(names) == 7, names
    assert all(name.startswith("An activation with missing or malformed details") for name in names)
    epics = {label["value"] for path, text in files.items() if path.startswith("data/test-results/")
             for label in json.loads(text).get("labels", []) if label["name"] == "epic"}
    assert epics == {"Preview platform"}
    grouping = {(label["name"], label["value"]) for path, text in files.items() if path.startswith("data/test-results/")
                for label in json.loads(text).get("labels", []) if label["name"] in ("feature", "story")}
    assert grouping == {("feature", "A site owner's first edit wakes the platform from zero"),
                        ("story", "An activation with missing or malformed details is refused and creates nothing")}
