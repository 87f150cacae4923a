"""`make plan`: what a run would do, without sending a request to any target.

Lists the scenarios the tags select that would run and those that would be skipped (and why), the
environment variables the profile reads (every missing one, not only the first), and the estimated
cost of the selected @costly scenarios against the profile's cost_limit_usd, with the run gate's
verdict. Exits 1 when the run could not start as planned (a missing variable, an invalid profile,
a refused cost), else 0.

    python -m tools.plan --tags="not @slow" --profile=staging [-D allow_destructive=yes] [-D cost_approval=CAB-1]
"""
import argparse
import os
import sys

from behave.configuration import Configuration
from behave.runner_util import collect_feature_locations, parse_features

from support.areas import selected_scenarios
from support.config import ProfileError, load_profile, read_leniently
from support.plan import Target, plan, scenario_id

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _userdata(pairs):
    found = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"plan: -D takes name=value, not {pair!r}")
        found[key] = value
    return found


def _features(tags, paths):
    """The features behave would load, and its config with the run's tag expression (behave.ini applies)."""
    config = Configuration([f"--tags={tags}", *paths], load_config=True)
    files = [location.filename for location in collect_feature_locations(config.paths)]
    return parse_features(files, language=config.lang), config


def _variables(variables):
    lines = []
    for variable in sorted(variables, key=lambda v: (not v.missing, v.default is not None, v.name)):
        state = "MISSING" if variable.missing else "set" if variable.name in os.environ else "default"
        default = "" if variable.default is None else f" (default {variable.default!r})" if variable.default else \
            " (default empty)"
        lines.append(f"  {state:8} {variable.name:40} {variable.key}{default}")
    return lines


def report(tags, profile_name, userdata, paths=()):
    """(text, ok) of the plan."""
    data, variables, source = read_leniently(profile_name)
    name = os.path.basename(source)[:-5]
    missing = [v.name for v in variables if v.missing]
    problems = [f"{len(missing)} environment variable(s) not set: {', '.join(missing)}"] if missing else []
    if not problems:
        try:
            load_profile(profile_name)
        except ProfileError as error:
            problems.append(f"the profile is not valid: {error}")
    target = Target(name, source, data)
    features, config = _features(tags, paths)
    entries, check = plan(selected_scenarios(features, config), target, userdata)
    running = [entry for entry in entries if entry.reason is None]
    skipped = [entry for entry in entries if entry.reason is not None]
    lines = [f"plan: profile '{name}' ({source}), tags {tags!r}; nothing is sent to any target",
             f"target areas: {', '.join(target.areas) or 'none'}; protected: {'yes' if target.protected else 'no'}",
             "", f"environment variables the profile reads ({sum(v.missing for v in variables)} missing):"]
    lines += _variables(variables) or ["  none"]
    lines += ["", f"would run ({len(running)}):"]
    lines += [f"  {entry.area:8} {entry.name}" + (f"  [@costly, estimate {_usd(entry.usd)}]" if entry.costly else "")
              for entry in running] or ["  none"]
    lines += ["", f"would be skipped ({len(skipped)}):"]
    for reason in dict.fromkeys(entry.reason for entry in skipped):
        lines.append(f"  because {reason}:")
        lines += [f"    {entry.area:8} {entry.name}" for entry in skipped if entry.reason == reason]
    lines += [] if skipped else ["  none"]
    refused = bool(check.refusal(userdata.get("cost_approval")))
    verdict = ("REFUSED, " + "; ".join(check.reasons()) + ": needs -D cost_approval=<reference>" if refused else
               f"approved under {userdata['cost_approval']}" if check.over else "within the limit")
    lines += ["", f"cost: {check.describe()}: {verdict}"]
    lines += [f"  {entry.id or entry.name}: {_usd(entry.usd)}" for entry in check.costly]
    if refused:
        problems.append("the cost gate would refuse it")
    every = {scenario_id(s.effective_tags) for feature in features for s in feature.walk_scenarios()}
    stale = sorted(set(target.estimates) - every)
    if stale:
        lines.append(f"  estimates for scenarios that do not exist: {', '.join(stale)}")
    lines += ["", "the run would not start: " + "; ".join(problems) if problems else "the run can start"]
    return "\n".join(lines), not problems


def _usd(usd):
    return "none in the profile" if usd is None else f"${usd:.2f}"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", default="not @slow")
    parser.add_argument("--profile", default=os.environ.get("ACCEPTANCE_PROFILE") or "local")
    parser.add_argument("-D", dest="define", action="append", default=[], metavar="NAME=VALUE",
                        help="as behave's -D: allow_destructive=yes, cost_approval=<ref>")
    parser.add_argument("paths", nargs="*")
    args, _behave_only = parser.parse_known_args(argv)  # BEHAVE_ARGS may hold options that change no plan
    os.chdir(ROOT)
    try:
        text, ok = report(args.tags, args.profile, _userdata(args.define), args.paths)
    except ProfileError as error:
        print(f"plan: {error}", file=sys.stderr)
        return 2
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
