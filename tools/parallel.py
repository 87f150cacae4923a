"""`make acceptance JOBS=N`: the features in N behave processes against one embedded stack.

The stack is started once, here (or a running one is attached to), and every behave process
attaches to it through the profile's state file (ACCEPTANCE_STACK_STATE). Each process has its own
run id, so its names, cleanups and sweep are its own. At most N run at once. Scenarios tagged
`@serial` assert something global to their area (the edit service at zero, a tenant's counters, one
effect's routing) and never run beside that area's others: an area whose selection is all @serial
has a lane of its own beside the others (the preview, typically), and the rest run afterwards in one
lane, alone, with every `@performance` scenario (they time this machine). All lanes write into one allure-results
folder; afterwards the results of a scenario that one lane ran and another only listed as not
selected are reduced to the one that ran, and each lane's JUnit files are merged into
reports/junit/ the same way, so the report and the checks count every scenario once.

Each process keeps its own cost account (reports/run-cost.lane-<k>.json, and its own verdict on
`costs.run_limit_usd`); this runner adds them up into reports/run-cost.json and fails the run when
the sum is over the limit.

`--shard k/n` takes a stable k-th of the feature files (every n-th of them in path order, from the
k-th), for CI runs spread over several machines.

    python -m tools.parallel --jobs 2 --tags "not @slow" [--shard 1/3] [--profile local] [-D name=value]
                             [other behave options, passed to every lane]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field

from behave.configuration import Configuration
from behave.runner_util import parse_features

from support.areas import area_of, areas_needed, selected_scenarios
from support.config import ProfileError, load_profile
from support.costs import RunCost, ScenarioCost, lane_file
from support.embedded import EmbeddedStack, StackUnavailable
from support.plan import RunCostRefused, cost_gate
from support.reporting import NOT_SELECTED, results_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERIAL = "serial"
PERFORMANCE = "performance"


class ShardError(ValueError):
    pass


def shard(files, spec):
    """The k-th of n parts of `files` (sorted): every n-th file from the k-th; `spec` is "k/n"."""
    try:
        k, n = (int(part) for part in spec.split("/"))
    except ValueError:
        raise ShardError(f"SHARD must be k/n with whole numbers, e.g. 1/3, not {spec!r}") from None
    if not 1 <= k <= n:
        raise ShardError(f"SHARD {spec}: k must be between 1 and n")
    return sorted(files)[k - 1::n]


@dataclass
class Lane:
    name: str
    tags: str
    files: list = field(default_factory=list)
    weight: int = 0
    run_id: str = None

    def command(self, profile, options, junit_dir):
        return [sys.executable, "-m", "behave", "-D", f"profile={profile}", *options, f"--tags={self.tags}",
                "--junit", "--junit-directory", junit_dir, *self.files]


def plan_lanes(features, config, tags, jobs):
    """(first, last): the lanes that run at once, then the one lane that runs alone after them.

    At most `jobs` processes run at once. An area whose selected scenarios are all @serial gets a
    lane of its own among the first (nothing else of that area runs beside it; up to jobs - 1 such
    areas, largest first); the scenarios that are not @serial are spread over the other lanes, a
    feature file at a time, by their number, largest first. The last lane holds the other @serial
    scenarios and every @performance one (they time this machine), and runs alone."""
    selected = [(scenario, area_of(scenario.effective_tags)) for scenario in selected_scenarios(features, config)]
    by_area = {}
    for scenario, area in selected:
        by_area.setdefault(area.name if area else None, []).append(scenario)
    all_serial = sorted((name for name, scenarios in by_area.items() if name and all(
        SERIAL in scenario.effective_tags for scenario in scenarios)), key=lambda name: (-len(by_area[name]), name))
    area_lanes = []
    for name in all_serial[:jobs - 1]:
        own = [scenario for scenario in by_area[name] if PERFORMANCE not in scenario.effective_tags]
        if own:
            area_lanes.append(Lane(f"serial-{name}", f"({tags}) and @{name} and @{SERIAL} and not @{PERFORMANCE}",
                                   sorted({scenario.feature.filename for scenario in own}), len(own)))
    counts = {}
    for scenario, _area in selected:
        if not {SERIAL, PERFORMANCE} & set(scenario.effective_tags):
            counts[scenario.feature.filename] = counts.get(scenario.feature.filename, 0) + 1
    lanes = [Lane(f"lane-{index + 1}", f"({tags}) and not @{SERIAL} and not @{PERFORMANCE}")
             for index in range(jobs - len(area_lanes))]
    for filename, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lane = min(lanes, key=lambda lane: (lane.weight, lane.name))
        lane.files.append(filename)
        lane.weight += count
    taken = "".join(f" and not (@{lane.name[len('serial-'):]} and not @{PERFORMANCE})" for lane in area_lanes)
    own_lane = {lane.name for lane in area_lanes}
    rest = [scenario for scenario, area in selected if {SERIAL, PERFORMANCE} & set(scenario.effective_tags)
            and not (area and f"serial-{area.name}" in own_lane and PERFORMANCE not in scenario.effective_tags)]
    last = Lane("serial", f"({tags}) and (@{SERIAL} or @{PERFORMANCE}){taken}",
                sorted({scenario.feature.filename for scenario in rest}), len(rest))
    return area_lanes + [lane for lane in lanes if lane.files], last


_RUN_LINE = re.compile(r"^run (\S+) on profile ")


def _stream(lane, process, say):
    for line in process.stdout:
        found = _RUN_LINE.match(line)
        if found:
            lane.run_id = found.group(1)
        say(f"[{lane.name}] {line.rstrip()}")


def run_lanes(lanes, profile, options, junit, say):
    """Runs `lanes` at once; returns {lane name: exit code}."""
    running = []
    for lane in lanes:
        env = {**os.environ, "ACCEPTANCE_LANE": lane.name}
        process = subprocess.Popen(lane.command(profile, options, os.path.join(junit, lane.name)), cwd=ROOT,
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        reader = threading.Thread(target=_stream, args=(lane, process, say), daemon=True)
        reader.start()
        running.append((lane, process, reader))
    codes = {}
    for lane, process, reader in running:
        codes[lane.name] = process.wait()
        reader.join()
    return codes


# -- Merging what the lanes wrote ------------------------------------------------------------------


def _ran(result):
    details = result.get("statusDetails") or {}
    return not (result.get("status") == "skipped" and (details.get("message") or "").startswith(NOT_SELECTED))


def merge_allure(folder):
    """Leaves one result per scenario: the one that ran over one that was only listed as not
    selected, else the latest. Returns how many were removed."""
    best, removed = {}, 0
    for path in sorted(glob.glob(os.path.join(folder, "*-result.json"))):
        with open(path, encoding="utf-8") as handle:
            result = json.load(handle)
        key = result.get("historyId") or path
        rank = (_ran(result), result.get("stop", 0))
        if key in best:
            loser = path if rank < best[key][0] else best[key][1]
            os.remove(loser)
            removed += 1
            if loser == path:
                continue
        best[key] = (rank, path)
    return removed


def name_runs(folder, lanes):
    """The report's environment names every lane's run id (each process wrote only its own)."""
    path = os.path.join(folder, "environment.properties")
    ids = [f"{lane.name} {lane.run_id}" for lane in lanes if lane.run_id]
    if not ids or not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("run.id=")]
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines([f"run.id={', '.join(ids)}\n", *lines])


def _case_rank(case):
    return case.find("skipped") is None


def merge_junit(lane_dirs, into):
    """One TESTS-<feature>.xml per feature in `into`: each test case from the lane that ran it."""
    by_file = {}
    for lane_dir in lane_dirs:
        for path in sorted(glob.glob(os.path.join(lane_dir, "*.xml"))):
            by_file.setdefault(os.path.basename(path), []).append(ElementTree.parse(path).getroot())
    for name, suites in by_file.items():
        merged, cases = suites[0], {}
        for suite in suites:
            for case in suite.findall("testcase"):
                key = (case.get("classname"), case.get("name"))
                if key not in cases or (_case_rank(case) and not _case_rank(cases[key])):
                    cases[key] = case
        for case in merged.findall("testcase"):
            merged.remove(case)
        for case in cases.values():
            merged.append(case)
        merged.set("tests", str(len(cases)))
        for attribute, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            merged.set(attribute, str(sum(case.find(tag) is not None for case in cases.values())))
        merged.set("time", f"{sum(float(case.get('time') or 0) for case in cases.values()):.6f}")
        ElementTree.ElementTree(merged).write(os.path.join(into, name), encoding="utf-8", xml_declaration=True)
    return len(by_file)


def merge_costs(costs, lanes, say):
    """The lanes' cost accounts added up into costs.report_file; False when over the run limit."""
    run = RunCost()
    for lane in lanes:
        path = lane_file(costs["report_file"], lane.name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                run.scenarios += [ScenarioCost(**scenario) for scenario in json.load(handle)["scenarios"]]
    if not run.scenarios:
        return True
    with open(costs["report_file"], "w", encoding="utf-8") as handle:
        handle.write(run.to_json())
    say(f"run cost over {len(lanes)} lane(s): {run.usd:.6f} USD of {costs['run_limit_usd']:g} USD allowed "
        f"({costs['report_file']})")
    return run.usd <= costs["run_limit_usd"]


# -- The run -----------------------------------------------------------------------------------------


def _files(paths):
    found = []
    for path in paths:
        found += sorted(glob.glob(os.path.join(path, "**", "*.feature"), recursive=True)) if os.path.isdir(path) \
            else [path]
    return sorted(set(found))


def _clear_lanes(junit, costs):
    """Lane files of an earlier run must not be merged into this one."""
    stale = glob.glob(os.path.join(junit, "lane-*", "*.xml")) + glob.glob(os.path.join(junit, "serial", "*.xml"))
    if costs:
        stale += glob.glob(lane_file(costs["report_file"], "*"))
    for path in stale:
        os.remove(path)


def run(args, extra=(), say=print):
    options = [*(item for pair in args.define for item in ("-D", pair)), *extra]
    userdata = dict(pair.partition("=")[::2] for pair in args.define)
    files = _files(args.paths or ["features"])
    if args.shard:
        files = shard(files, args.shard)
    config = Configuration([f"--tags={args.tags}", *files], load_config=True)
    features = parse_features(files, language=config.lang)
    profile = load_profile(args.profile)
    cost_gate(selected_scenarios(features, config), profile, userdata)
    lanes, serial = plan_lanes(features, config, args.tags, args.jobs)
    stack = None
    needed = [area for area in areas_needed(features, config) if area.name in profile.areas]
    stack_areas = sorted({name for area in needed for name in area.stack_areas})
    if profile.embedded and stack_areas:
        stack = EmbeddedStack(profile["stack"])
        state = stack.start_or_attach(stack_areas)
        say(f"parallel: embedded stack {'attached to' if stack.attached else 'started'} with areas "
            f"{', '.join(state['areas'])}; every lane attaches to it ({stack.state_file})")
    os.makedirs(args.junit_directory, exist_ok=True)
    _clear_lanes(args.junit_directory, profile.data.get("costs"))
    started, codes = time.monotonic(), {}
    try:
        say(f"parallel: {len(lanes)} lane(s) at once over {len(files)} feature file(s), then {serial.weight} "
            f"@serial or @performance scenario(s) in one lane, alone" + (f"; shard {args.shard}" if args.shard else ""))
        for lane in lanes:
            say(f"parallel: {lane.name}: {lane.weight} scenario(s) in {', '.join(map(os.path.relpath, lane.files))}")
        codes.update(run_lanes(lanes, args.profile, options, args.junit_directory, say))
        if serial.files:
            codes.update(run_lanes([serial], args.profile, options, args.junit_directory, say))
    finally:
        if stack:
            stack.stop()
    used = [lane for lane in (*lanes, serial) if lane.files]
    removed = merge_allure(results_dir())
    name_runs(results_dir(), used)
    merged = merge_junit([os.path.join(args.junit_directory, lane.name) for lane in used], args.junit_directory)
    costs_ok = merge_costs(profile.data["costs"], used, say) if profile.data.get("costs") else True
    say(f"parallel: {time.monotonic() - started:.1f} s; lanes {', '.join(f'{n} exit {c}' for n, c in codes.items())}; "
        f"{merged} JUnit file(s) merged into {args.junit_directory}; {removed} duplicate Allure result(s) of "
        "unselected scenarios removed")
    return 0 if all(code == 0 for code in codes.values()) and costs_ok else 1


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--shard", default="")
    parser.add_argument("--tags", default="not @slow")
    parser.add_argument("--profile", default=os.environ.get("ACCEPTANCE_PROFILE") or "local")
    parser.add_argument("-D", dest="define", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--junit-directory", default=os.path.join("reports", "junit"))
    parser.add_argument("paths", nargs="*")
    args, extra = parser.parse_known_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    os.chdir(ROOT)
    try:
        return run(args, extra)
    except ShardError as error:
        print(f"parallel: {error}", file=sys.stderr)
        return 2
    except (ProfileError, RunCostRefused, StackUnavailable) as error:
        print(f"parallel: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
