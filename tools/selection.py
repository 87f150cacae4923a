"""How many scenarios a tag expression selects, counted by a behave dry run (no target is touched).

The quality gate needs it: a run that lost scenarios (a crash, a wrong path) must not pass because
the few that ran were green.

    python -m tools.selection --tags="not @slow"     # prints the number
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_COUNTS = re.compile(r"^\d+ scenarios? passed, \d+ failed, \d+ skipped(?:, (\d+) untested)?", re.MULTILINE)


def selected(tags, paths=()):
    with tempfile.TemporaryDirectory(prefix="selection-") as scratch:
        run = subprocess.run([sys.executable, "-m", "behave", "--dry-run", "-f", "null", "--no-junit",
                              f"--tags={tags}", *paths], cwd=ROOT, env={**os.environ, "ALLURE_RESULTS_DIR": scratch},
                             capture_output=True, text=True, timeout=120)
    found = _COUNTS.search(run.stdout)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"behave --dry-run --tags={tags!r} failed ({run.returncode}): "
                           f"{(run.stdout + run.stderr).strip()[-500:]}")
    return int(found.group(1) or 0)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", required=True)
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args(argv)
    print(selected(args.tags, args.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
