"""The single-file report, opened from disk in headless Chromium, shows the run a person expects:
the overview's counts are JUnit's, and a scenario shows its steps and its attachment.

A real behave run of one studio feature with one fault, so the overview has passed, failed and
skipped scenarios. Chromium is Debian's `chromium` and `chromium-driver` (installed by `make setup`),
or the runner's Chrome on GitHub (CHROME_BIN, CHROMEWEBDRIVER). Without a browser the test fails
in CI and is skipped elsewhere.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import pytest

from support.config import Budget
from support.waits import eventually
from tests.allure_build import ROOT, build_report, scratch_project

FEATURE = "features/studio/rules.feature"
TAGS = "not @costly"
FAULT = "variant_id_not_deterministic"  # tests/fault_matrix.py: fails "A variant's id is stable ..."
OPENED = "A variant that is not eligible cannot be promoted"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000")
RENDER = Budget("report_render", 20)


def find_browser():
    """(browser, driver) paths, or None: CHROME_BIN/CHROMEDRIVER, Debian's chromium, or the runner's Chrome."""
    browser = os.environ.get("CHROME_BIN") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))), None)
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or next(
        (path for path in [os.path.join(os.environ.get("CHROMEWEBDRIVER", ""), "chromedriver")] if os.path.isfile(path)),
        None)
    return (browser, driver) if browser and driver else None


def junit_counts(folder):
    counts = {"total": 0, "failed": 0, "broken": 0, "skipped": 0}
    for path in glob.glob(os.path.join(folder, "*.xml")):
        suite = ElementTree.parse(path).getroot()
        counts["total"] += int(suite.get("tests"))
        counts["failed"] += int(suite.get("failures"))
        counts["broken"] += int(suite.get("errors"))
        counts["skipped"] += int(suite.get("skipped"))
    counts["passed"] = counts["total"] - counts["failed"] - counts["broken"] - counts["skipped"]
    return counts


def require_browser():
    """The browser, or the test stops: failed in CI (the report must be checked there), skipped elsewhere."""
    found = find_browser()
    if not found:
        message = "no Chromium and chromedriver (apt-get install chromium chromium-driver, or set CHROME_BIN/CHROMEDRIVER)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser():
    found = require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    profile = tempfile.mkdtemp(prefix="report-browser-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(found[1]), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One behave run with its Allure results and JUnit files, and the report built from them."""
    scratch = tmp_path_factory.mktemp("browser-run")
    env = {**os.environ, "STACK_FAULTS": FAULT, "ACCEPTANCE_STACK_STATE": str(scratch / "state.json"),
           "ACCEPTANCE_PROFILE": "local", "ALLURE_RESULTS_DIR": str(scratch / "allure-results")}
    behave = subprocess.run([sys.executable, "-m", "behave", FEATURE, f"--tags={TAGS}", "-f", "null", "--junit",
                             "--junit-directory", str(scratch / "junit")], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert behave.returncode == 1, behave.stdout + behave.stderr  # the fault fails one scenario
    report = build_report(scratch_project(scratch), scratch / "allure-results", "report")
    return scratch, report


def visible(driver, selector):
    from selenium.webdriver.common.by import By
    return [element for element in driver.find_elements(By.CSS_SELECTOR, selector) if element.is_displayed()]


def overview_counts(driver):
    """The overview's counts by status, or None while the page has not rendered them all yet."""
    counts = {}
    for status in ("total", "failed", "passed", "skipped"):
        values = [element.text for element in
                  visible(driver, f"[data-testid=metadata-item-{status}] [data-testid=metadata-value]")]
        if not values or not values[0].isdigit():
            return None
        counts[status] = int(values[0])
    return counts


def test_the_overview_counts_are_the_runs_junit_counts(browser, run):
    scratch, report = run
    expected = junit_counts(scratch / "junit")
    assert (expected["failed"], expected["skipped"]) == (1, 3), expected  # the run is the one described above
    browser.get(f"file://{report}")
    shown = eventually(lambda: overview_counts(browser), lambda counts: counts and counts["total"] > 0, RENDER,
                       "the report's overview counts", report=False)
    assert not visible(browser, "[data-testid=metadata-item-broken]")
    assert shown == {status: expected[status] for status in ("total", "failed", "passed", "skipped")}
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(os.path.join(os.path.dirname(report), "overview.png"))


def test_a_scenario_shows_its_steps_and_its_attachment(browser, run):
    scratch, report = run
    results = [json.load(open(path)) for path in glob.glob(str(scratch / "allure-results" / "*-result.json"))]
    result = next(result for result in results if result["name"] == OPENED)
    steps = [step["name"] for step in result["steps"]]
    with_attachment = next(step for step in result["steps"] if step.get("attachments"))
    attachment = with_attachment["attachments"][-1]
    content = open(scratch / "allure-results" / attachment["source"]).read()
    browser.get(f"file://{report}")
    path = [next(label["value"] for label in result["labels"] if label["name"] == name)
            for name in ("epic", "feature", "story")]

    def open_scenario():
        """Clicks the scenario when it shows, else the deepest group on its path (shown but closed)."""
        leaves = [leaf for leaf in visible(browser, "[data-testid=tree-leaf]") if OPENED in leaf.text]
        if leaves:
            leaves[0].click()
            return True
        shown = {title.text.strip(): title for title in visible(browser, "[data-testid=tree-section-title]")}
        deepest = next((name for name in reversed(path) if name in shown), None)
        if deepest:
            shown[deepest].click()
        return False

    # Half a second between probes lets a clicked group open before the next look.
    eventually(open_scenario, bool, RENDER, f"the scenario {OPENED!r} in the report's tree", interval=0.5,
               report=False)
    titles = eventually(lambda: [title.text for title in visible(browser, "[data-testid=test-result-step-title]")],
                        lambda shown: len(shown) >= len(steps), RENDER, "the scenario's steps", report=False)
    assert titles == steps

    step = next(title for title in visible(browser, "[data-testid=test-result-step-title]")
                if title.text == with_attachment["name"])
    step.click()
    header = eventually(lambda: [h for h in visible(browser, "[data-testid=test-result-attachment-header]")
                                 if attachment["name"] in h.text],
                        bool, RENDER, f"the attachment {attachment['name']!r} under its step", report=False)
    header[0].click()
    shown = eventually(lambda: " ".join(a.text for a in visible(browser, "[data-testid=test-result-attachment]")),
                       lambda text: content.splitlines()[0] in text, RENDER, "the attachment's content", report=False)
    answer = next(line for line in content.splitlines() if line.startswith("→ "))  # e.g. "→ 200 OK"
    assert answer in shown, shown
    browser.save_screenshot(os.path.join(os.path.dirname(report), "scenario.png"))


def test_without_a_browser_ci_fails_and_elsewhere_skips(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    for name in ("CHROME_BIN", "CHROMEDRIVER", "CHROMEWEBDRIVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no Chromium and chromedriver"):
        require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Chromium and chromedriver"):
        require_browser()
