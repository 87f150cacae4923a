"""Each Gherkin lint rule rejects a bad example and accepts the suite's way of saying the same thing."""
import os
import subprocess
import sys
import textwrap

import pytest

from tools import lint

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

GOOD = """\
    @preview
    Feature: A site owner's first edit wakes the platform
      As a site owner
      I want my preview quickly
      So that idle infrastructure costs nothing

      @id.preview.cold_start.first_edit
      Scenario: A first instruction starts a container
        When a site owner asks to "Add a page called "Home""
        Then the session is recorded as active within 3 seconds
        And the answer says "not found"
    """


def write(tmp_path, text, area="preview", stem="cold_start"):
    path = tmp_path / "features" / area / f"{stem}.feature"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def findings(tmp_path, rule, text, **where):
    path = write(tmp_path, text, **where)
    return lint.lint([str(path)], rules=[rule], suite=lint.Suite(resource_names={"webordinary-edit-sessions"}))


def with_step(step):
    return GOOD.replace('And the answer says "not found"', step)


@pytest.mark.parametrize("rule", sorted(lint.RULES))
def test_the_good_example_passes_every_rule(tmp_path, rule):
    assert findings(tmp_path, rule, GOOD) == []


@pytest.mark.parametrize("rule, step", [
    ("url", "And the preview at https://preview.example.com shows the page"),
    ("url", "And the health check at /api/health/live answers"),
    ("url", "And the service on localhost:8080 answers"),
    ("url", "And the service on 10.0.0.12 answers"),
    ("http_method", "And the client sends a POST to the session service"),
    ("status_code", "And the answer has status 503"),
    ("status_code", "And the answer's status code is 404"),
    ("status_code", "And the service answers HTTP 200"),
    ("status_code", "And a GET answers 200"),
    ("json", 'And the body is {"sessionId": "abc"}'),
    ("json", 'And the answer contains "status": "active"'),
    ("header", "And the answer carries a Retry-After"),
    ("header", "And the request has an X-Request-Id"),
    ("header", "And the Authorization header names the admin"),
    ("header", "And the Host: value is the tenant's"),
    ("resource_name", "And the session appears in the table webordinary-edit-sessions"),
    ("resource_name", "And the page is in bucket preview-pages-dev"),
    ("resource_name", "And the role arn:aws:iam::123456789012:role/editor can read it"),
    ("resource_name", "And the message is in the edit-email-dlq queue"),
])
def test_a_step_in_engineer_language_is_rejected(tmp_path, rule, step):
    found = findings(tmp_path, rule, with_step(step))
    assert [(f.rule, f.line) for f in found] == [(rule, 11)], found


def test_engineer_language_in_tables_and_docstrings_is_rejected(tmp_path):
    text = GOOD.replace('And the answer says "not found"', 'And the answer is\n      """\n      {"ok": true}\n'
                        '      """\n    And the answers are\n      | code |\n      | 404  |')
    found = lint.lint([str(write(tmp_path, text))], rules=["json", "status_code"], suite=lint.Suite(()))
    assert sorted(f.rule for f in found) == ["json", "status_code"], found


@pytest.mark.parametrize("text", [
    "And the session is not found within 200 milliseconds",
    'And the dead-letter queue holds the message with the reason "unreadable"',
    'And the page "components/Header.astro" is in the workspace',
    "And three containers run, the maximum",
])
def test_business_language_that_looks_technical_passes(tmp_path, text):
    path = write(tmp_path, with_step(text))
    assert lint.lint([str(path)], suite=lint.Suite(resource_names={"webordinary-edit-sessions"})) == []


def test_a_resource_name_from_a_profile_is_rejected(tmp_path):
    found = findings(tmp_path, "resource_name", with_step("And webordinary-edit-sessions has the session"))
    assert [f.message for f in found] == ["a resource name from a profile: 'webordinary-edit-sessions'"]


def test_a_feature_without_a_description_is_rejected(tmp_path):
    text = textwrap.dedent(GOOD).replace("  As a site owner\n  I want my preview quickly\n"
                                         "  So that idle infrastructure costs nothing\n", "")
    found = findings(tmp_path, "description", text)
    assert [(f.rule, f.line) for f in found] == [("description", 2)], found


def test_a_scenario_name_used_twice_in_the_suite_is_rejected(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("cold_start.first_edit", "routing.first_edit"), stem="routing")
    found = lint.lint([str(tmp_path / "features")], rules=["duplicate_name"], suite=lint.Suite(()))
    assert [(f.rule, os.path.basename(f.path)) for f in found] == [("duplicate_name", "routing.feature")], found
    assert "also at" in found[0].message and "cold_start.feature:8" in found[0].message


@pytest.mark.parametrize("area", ["studio", "guardian"])
def test_a_scenario_without_its_folders_area_tag_is_rejected(tmp_path, area):
    found = findings(tmp_path, "area_tag", GOOD, area=area)
    assert [(f.rule, f.message) for f in found] == [
        ("area_tag", f"scenario 'A first instruction starts a container' lacks its area tag @{area}")]


@pytest.mark.parametrize("tag, problem", [
    ("@smoke", "found none"),
    ("@id.preview.routing.first_edit", "found @id.preview.routing.first_edit"),
    ("@id.studio.cold_start.first_edit", "found @id.studio.cold_start.first_edit"),
    ("@id.preview.cold_start.First_Edit", "found @id.preview.cold_start.First_Edit"),
    ("@id.preview.cold_start.a @id.preview.cold_start.b", "found @id.preview.cold_start.a, @id.preview.cold_start.b"),
])
def test_a_scenario_without_exactly_one_well_formed_id_is_rejected(tmp_path, tag, problem):
    found = findings(tmp_path, "id_tag", GOOD.replace("@id.preview.cold_start.first_edit", tag))
    assert [f.rule for f in found] == ["id_tag"], found
    assert found[0].message.endswith(problem) and "@id.preview.cold_start.<name>" in found[0].message


def test_an_id_used_twice_is_rejected(tmp_path):
    text = GOOD + textwrap.indent(textwrap.dedent("""\

        @id.preview.cold_start.first_edit
        Scenario: A second instruction reuses the container
          When a site owner asks again
        """), "  ")
    found = findings(tmp_path, "id_tag", text)
    assert [(f.rule, f.line) for f in found] == [("id_tag", 14)], found
    assert "is also used at" in found[0].message


def test_the_suites_features_pass_the_enabled_rules():
    assert lint.lint([os.path.join(ROOT, "features")]) == []


def test_the_command_fails_on_a_feature_that_names_a_status_code(tmp_path):
    path = write(tmp_path, with_step("And the answer has status 503"))
    run = subprocess.run([sys.executable, "-m", "tools.lint", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "cold_start.feature:11: [status_code] a status code: '503'" in run.stdout


def test_an_unknown_rule_or_path_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown lint rules \\['no_such'\\]"):
        lint.lint([str(tmp_path)], rules=["no_such"])
    run = subprocess.run([sys.executable, "-m", "tools.lint", str(tmp_path / "nothing")], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 2 and "no feature file or folder at" in run.stderr, run.stderr
