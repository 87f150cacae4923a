"""Builds a report exactly as `make report` does, in a scratch project so no build touches the worktree
(Allure appends to the history file and writes known issues relative to where it runs)."""
import os
import re
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLURE = os.path.join(ROOT, "node_modules", ".bin", "allure")
AWESOME = re.search(r"^AWESOME := npx allure awesome (.*)$", open(os.path.join(ROOT, "Makefile")).read(),
                    re.MULTILINE).group(1).split()


def scratch_project(folder):
    """`folder` with the suite's Allure configuration and known defects in it."""
    for name in ("allurerc.mjs", "known-defects.json"):
        shutil.copy(os.path.join(ROOT, name), folder)
    return folder


def allure(project, *args):
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    env["NODE_OPTIONS"] = f"--import={os.path.join(ROOT, 'tools', 'iterator-to-array.mjs')}"  # as make does
    return subprocess.run([ALLURE, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)


def build_report(project, results, report):
    run = allure(project, "awesome", *AWESOME, str(results), "-o", str(report))
    assert run.returncode == 0, run.stdout + run.stderr
    return os.path.join(project, report, "index.html")
