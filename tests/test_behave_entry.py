"""behave works however QA start it: the venv's script, `python -m behave`, or `behave` on PATH."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


@pytest.mark.parametrize("command", [
    [os.path.join(BIN, "behave")],
    [sys.executable, "-m", "behave"],
    ["behave"],
], ids=["venv script", "python -m behave", "behave on PATH"])
def test_behave_starts_from_the_project_root(command, tmp_path):
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
           "ALLURE_RESULTS_DIR": str(tmp_path)}
    result = subprocess.run([*command, "--dry-run", "--no-junit", "-f", "null", "--tags=@studio"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "BAD_FORMAT" not in output and "undefined" not in output.lower(), output
