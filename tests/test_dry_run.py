"""`make lint`'s dry run fails in seconds on a step nobody wrote, and passes on the suite's features."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dry_run(path, tmp_path):
    env = {**os.environ, "ALLURE_RESULTS_DIR": str(tmp_path / "results")}
    return subprocess.run([sys.executable, "-m", "behave", "--dry-run", "-f", "null", "--no-junit", str(path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_an_undefined_step_fails_the_dry_run(tmp_path):
    """A feature beside the suite's own steps and environment, with one step that has no definition."""
    (tmp_path / "features").mkdir()
    (tmp_path / "steps").symlink_to(os.path.join(ROOT, "steps"))
    (tmp_path / "environment.py").symlink_to(os.path.join(ROOT, "environment.py"))
    (tmp_path / "features" / "undefined.feature").write_text(
        "@preview\nFeature: A step nobody wrote\n  Scenario: One known step and one unknown\n"
        "    Given no edit containers are running\n    When nobody has written this step\n")
    run = dry_run(tmp_path / "features", tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 undefined" in run.stdout and "@when(u'nobody has written this step')" in run.stdout + run.stderr


def test_every_step_of_the_suite_is_defined(tmp_path):
    run = dry_run(os.path.join(ROOT, "features"), tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "undefined" not in run.stdout, run.stdout
