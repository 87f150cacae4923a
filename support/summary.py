"""The page a person reads first after a run: what passed and failed, why, when, and against what.

Built from the Allure result files rather than from one behave process, so that a run split over
several processes writing into one folder is summarised as one run. Writes `summary.md` (a short
headline, then details) and `summary.json` (the same facts for machines) into the output folder.

    python -m support.summary allure-results reports
"""
import glob
import json
import os
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone

from support import drivers
from support.redact import redact
from support.reporting import NOT_SELECTED

STATUSES = ("passed", "failed", "broken", "skipped", "unknown")
PROBLEMS = ("failed", "broken", "skipped", "unknown")
REASON_LENGTH = 160
VERSION_KEYS = (("suite", "suite.version"), ("Python", "python.version"), ("behave", "behave.version"),
                ("stack", "stack.version"))


class SummaryError(Exception):
    """The results folder cannot be summarised (missing, or without a single result)."""


def _label(result, name, default):
    return next((label["value"] for label in result.get("labels", []) if label.get("name") == name), default)


def shorten(message):
    """The first line of a failure message, cut to REASON_LENGTH characters."""
    lines = [line.strip() for line in (message or "").strip().splitlines() if line.strip()]
    if not lines:
        return "no reason recorded"
    first = lines[0]
    return first if len(first) <= REASON_LENGTH else first[:REASON_LENGTH - 1] + "…"


def _rank(result):
    """Which of two results of one scenario counts: one that ran over a skip, then the latest."""
    return result.get("status") != "skipped", result.get("stop", 0)


def read_results(results_dir):
    """One entry per test: a scenario retried, or written by two processes (run in one, not selected
    in the other), counts once, by the result that ran, else the latest."""
    if not os.path.isdir(results_dir):
        raise SummaryError(f"no results folder at {results_dir}")
    latest = {}
    for path in sorted(glob.glob(os.path.join(results_dir, "*-result.json"))):
        with open(path, encoding="utf-8") as handle:
            try:
                result = json.load(handle)
            except json.JSONDecodeError as error:
                raise SummaryError(f"{path} is not a readable Allure result: {error}") from error
        key = result.get("historyId") or result.get("uuid") or path
        if key not in latest or _rank(result) >= _rank(latest[key]):
            latest[key] = result
    if not latest:
        raise SummaryError(f"{results_dir} holds no Allure result files (*-result.json)")
    return list(latest.values())


def read_environment(results_dir):
    path = os.path.join(results_dir, "environment.properties")
    if not os.path.exists(path):
        return {}
    environment = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.rstrip("\n").split("=", 1)
                environment[key.strip()] = value.strip()
    return redact(environment)


def _counts(results):
    counted = Counter(result.get("status", "unknown") for result in results)
    return {status: counted.get(status, 0) for status in STATUSES}


def _time(results):
    starts = [result["start"] for result in results if result.get("start")]
    stops = [result["stop"] for result in results if result.get("stop")]
    if not starts or not stops:
        return {"start": None, "stop": None, "seconds": None}
    start, stop = min(starts), max(stops)
    as_iso = lambda ms: datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")
    return {"start": as_iso(start), "stop": as_iso(stop), "seconds": round((stop - start) / 1000, 1)}


def _not_selected(result):
    message = (result.get("statusDetails") or {}).get("message") or ""
    return result.get("status") == "skipped" and message.startswith(NOT_SELECTED)


def summarise(results_dir):
    """The run's facts as one JSON-ready dict. Scenarios the run's tags left out are counted apart
    (behave and JUnit list them as skipped), so the counts are about what the run chose to check."""
    everything = read_results(results_dir)
    results = [result for result in everything if not _not_selected(result)]
    grouped = defaultdict(lambda: defaultdict(list))
    for result in results:
        grouped[_label(result, "epic", "no area")][_label(result, "feature", "no feature")].append(result)
    areas = []
    for area in sorted(grouped):
        features = [{"name": feature, "counts": _counts(items),
                     "scenarios": sorted(({"name": item.get("name", "unnamed"), "status": item.get("status", "unknown")}
                                          for item in items), key=lambda scenario: scenario["name"])}
                    for feature, items in sorted(grouped[area].items())]
        areas.append({"name": area, "counts": _counts([r for items in grouped[area].values() for r in items]),
                      "features": features})
    problems = sorted(
        ({"status": result.get("status", "unknown"), "area": _label(result, "epic", "no area"),
          "feature": _label(result, "feature", "no feature"), "scenario": result.get("name", "unnamed"),
          "reason": shorten((result.get("statusDetails") or {}).get("message"))}
         for result in results if result.get("status", "unknown") in PROBLEMS),
        key=lambda problem: (PROBLEMS.index(problem["status"]), problem["area"], problem["feature"],
                             problem["scenario"]))
    totals = _counts(results)
    verdict = "passed" if totals["failed"] == totals["broken"] == totals["unknown"] == 0 else "failed"
    return {"verdict": verdict, "scenarios": len(results), "not_selected": len(everything) - len(results),
            "totals": totals, "time": _time(results),
            "environment": read_environment(results_dir), "areas": areas, "problems": problems,
            "drivers": drivers.read(results_dir) or {}}


def _count_text(counts):
    return ", ".join(f"{counts[status]} {status}" for status in STATUSES
                     if counts[status] or status in ("passed", "failed"))


def _duration(seconds):
    if seconds is None:
        return "unknown"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)} min {rest:.0f} s" if minutes else f"{rest:.1f} s"


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(summary):
    """A headline of at most ten lines for a person, then the details by area and feature."""
    env, time = summary["environment"], summary["time"]
    versions = ", ".join(f"{name} {env.get(key, 'unknown')}" for name, key in VERSION_KEYS
                         if key in env or name != "stack")
    addresses = ", ".join(f"{key} {value}" for key, value in env.items() if value.startswith(("http://", "https://")))
    lines = [
        f"# Acceptance run {summary['verdict'].upper()}: {summary['scenarios']} scenarios, "
        f"{_count_text(summary['totals'])}"
        + (f" ({summary['not_selected']} more not selected by the tags)" if summary["not_selected"] else ""),
        "",
        f"- time: {time['start'] or 'unknown'} to {time['stop'] or 'unknown'} ({_duration(time['seconds'])})",
        f"- profile: {env.get('profile', 'unknown')} ({env.get('target', 'unknown')}); "
        f"targets: {addresses or 'none recorded'}",
        f"- versions: {versions}",
        "- areas: " + "; ".join(f"{area['name']} {area['counts']['passed']}/"
                                f"{sum(area['counts'].values())} passed" for area in summary["areas"]),
    ]
    if summary.get("drivers"):
        lines.append("- drivers: " + "; ".join(
            f"{role}: {found['driver']} " + (", ".join(f"{op} ×{n}" for op, n in found["calls"].items()) or "not called")
            for role, found in summary["drivers"].items()))
    failures = [p for p in summary["problems"] if p["status"] != "skipped"]
    lines += [f"- {p['status']}: {p['scenario']}: {p['reason']}" for p in failures[:3]]
    more = [f"{len(failures) - 3} more failures"] if len(failures) > 3 else []
    more += [f"{summary['totals']['skipped']} skipped"] if summary["totals"]["skipped"] else []
    if more:
        lines.append(f"- {' and '.join(more)}: reasons below")
    lines += ["", "## By area and feature", "",
              "| area | feature | passed | failed | broken | skipped |", "|---|---|---|---|---|---|"]
    for area in summary["areas"]:
        for feature in area["features"]:
            c = feature["counts"]
            lines.append(f"| {_cell(area['name'])} | {_cell(feature['name'])} | {c['passed']} | {c['failed']} "
                         f"| {c['broken'] + c['unknown']} | {c['skipped']} |")
    if summary["problems"]:
        lines += ["", "## Failures and skips", "", "| status | area | feature | scenario | reason |",
                  "|---|---|---|---|---|"]
        lines += [f"| {p['status']} | {_cell(p['area'])} | {_cell(p['feature'])} | {_cell(p['scenario'])} "
                  f"| {_cell(p['reason'])} |" for p in summary["problems"]]
    lines += ["", "## Environment", "", "| name | value |", "|---|---|"]
    lines += [f"| {_cell(key)} | {_cell(value)} |" for key, value in env.items()]
    return "\n".join(lines) + "\n"


def write_summary(results_dir, out_dir):
    """Writes summary.md and summary.json into `out_dir`; returns the summary."""
    summary = summarise(results_dir)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
    with open(os.path.join(out_dir, "summary.md"), "w", encoding="utf-8") as handle:
        handle.write(render_markdown(summary))
    return summary


def main(argv):
    if len(argv) != 2:
        print("usage: python -m support.summary <allure-results dir> <out dir>", file=sys.stderr)
        return 2
    try:
        write_summary(*argv)
    except SummaryError as error:
        print(f"summary: {error}", file=sys.stderr)
        return 1
    print(f"summary: {os.path.join(argv[1], 'summary.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
