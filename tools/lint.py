"""Gherkin lint: the features stay in business language and every scenario can be found by area and id.

Product owners read the features, so what only an engineer understands (addresses, HTTP methods and
status codes, JSON, header names, resource names) belongs in steps and profiles, not in Gherkin.
Each rule is a function from one parsed feature to findings; `ENABLED` is the rule set `make test`
applies.

    python -m tools.lint features            # every .feature under features/
"""
import os
import re
import sys
from dataclasses import dataclass

import yaml
from behave.parser import ParserError, parse_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILES = os.path.join(ROOT, "config", "profiles")

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE")
HEADERS = ("Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Authorization",
           "Accept", "Accept-Encoding", "Accept-Language", "Cache-Control", "Set-Cookie", "Cookie", "User-Agent",
           "Location", "Host", "ETag", "If-Match", "If-None-Match", "If-Modified-Since", "Last-Modified",
           "Retry-After", "WWW-Authenticate", "Origin", "Referer", "Upgrade", "Connection",
           "Access-Control-Allow-Origin", "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Transfer-Encoding")
_HYPHENATED_HEADERS = [name for name in HEADERS if "-" in name]
_PLAIN_HEADERS = [name for name in HEADERS if "-" not in name]

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*|\bwww\.\S+|\blocalhost(:\d+)?\b|\b\d{1,3}(\.\d{1,3}){3}\b"
                  r"|(?<![\w.])/[\w.{}-]+/[\w.{}/-]*", re.IGNORECASE)
_METHOD = re.compile(r"\b(" + "|".join(METHODS) + r")\b")
_THREE_DIGITS = re.compile(r"\b[1-5]\d\d\b")
_STATUS_WORDS = {"status", "code", "http"}
_JSON = re.compile(r"\{\s*\"|\"[^\"\n]*\"\s*:\s*[\[{\"\d tfn]|\[\s*\{|\{\s*\}")
_HEADER = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, _HYPHENATED_HEADERS)) + r")(?![\w-])"
                     r"|(?<![\w-])X-[A-Za-z0-9]+(-[A-Za-z0-9]+)*\b"
                     r"|\b(" + "|".join(_PLAIN_HEADERS) + r")\s*:(?!//)"
                     r"|\b(" + "|".join(_PLAIN_HEADERS) + r")\s+header\b"
                     r"|\bheader\s+\"?(" + "|".join(_PLAIN_HEADERS) + r")\b", re.IGNORECASE)
_RESOURCE = re.compile(r"\barn:[\w-]*:|\b(table|bucket|queue|topic|log group)\s+[\"'`]?[a-z0-9]+([-_.][a-z0-9]+)+"
                       r"|\b[a-z0-9]+([-_][a-z0-9]+){2,}\s+(table|bucket|queue|topic)\b", re.IGNORECASE)
_ID = "id."
_ID_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self):
        return f"{os.path.relpath(self.path)}:{self.line}: [{self.rule}] {self.message}"


def _scenarios(feature):
    """Scenarios and outlines as written (an outline once, not once per example row)."""
    yield from feature.scenarios
    for rule in getattr(feature, "rules", None) or ():
        yield from rule.scenarios


def _steps(container):
    return list(getattr(container, "steps", None) or ())


def _table(line, table):
    """The headings, then each row with its cells beside their headings ("code 404" is a status code)."""
    return [(line, " | ".join(table.headings))] + [
        (row.line, " | ".join(f"{heading} {cell}" for heading, cell in zip(table.headings, row.cells)))
        for row in table.rows]


def texts(feature):
    """(line, text) of everything a reader sees: names, descriptions, steps, their tables and docstrings."""
    found = [(feature.line, feature.name)] + [(feature.line, line) for line in feature.description]
    containers = ([feature.background] if feature.background else []) + list(_scenarios(feature))
    for container in containers:
        found.append((container.line, container.name or ""))
        found += [(container.line, line) for line in getattr(container, "description", None) or ()]
        for step in _steps(container):
            found.append((step.line, step.name))
            if step.table:
                found += _table(step.line, step.table)
            if step.text:
                found.append((step.line, str(step.text)))
        for examples in getattr(container, "examples", None) or ():
            found.append((examples.line, examples.name or ""))
            if examples.table:
                found += _table(examples.line, examples.table)
    return found


def _pattern_rule(name, pattern, what):
    def rule(feature, _suite):
        return [Finding(feature.filename, line, name, f"{what}: {match.group(0).strip()!r} in {text.strip()!r}")
                for line, text in texts(feature) for match in pattern.finditer(text)]
    rule.__name__ = name
    return rule


def status_codes(feature, _suite):
    """A three-digit number beside "status", "code", "HTTP" or an HTTP method is a status code."""
    findings = []
    for line, text in texts(feature):
        for match in _THREE_DIGITS.finditer(text):
            before = re.findall(r"[A-Za-z]+", text[:match.start()])[-3:]
            after = re.findall(r"[A-Za-z]+", text[match.end():])[:1]
            near = before + after
            if any(word.lower() in _STATUS_WORDS for word in near) or any(word in METHODS for word in near):
                findings.append(Finding(feature.filename, line, "status_code",
                                        f"a status code: {match.group(0)!r} in {text.strip()!r}"))
    return findings


def _profile_names():
    """Every resource name the profiles declare: values under a `names:` key, at any depth, that look like
    one (a dash or a slash; not a placeholder such as from_stack)."""
    found = set()

    def walk(node, under_names):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, under_names or key == "names")
        elif isinstance(node, list):
            for value in node:
                walk(value, under_names)
        elif under_names and isinstance(node, str) and "{" not in node and re.search(r"[-/]", node):
            found.add(node)

    for name in sorted(os.listdir(PROFILES)) if os.path.isdir(PROFILES) else ():
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(PROFILES, name), encoding="utf-8") as handle:
                walk(yaml.safe_load(handle), False)
    return found


def resource_names(feature, suite):
    findings = _pattern_rule("resource_name", _RESOURCE, "a table, bucket, queue or ARN name")(feature, suite)
    flagged = {finding.line for finding in findings}
    for line, text in texts(feature):
        findings += [Finding(feature.filename, line, "resource_name", f"a resource name from a profile: {name!r}")
                     for name in sorted(suite.resource_names) if name in text and line not in flagged]
    return findings


def description(feature, _suite):
    if any(line.strip() for line in feature.description):
        return []
    return [Finding(feature.filename, feature.line, "description",
                    f"feature {feature.name!r} has no description (who wants what, and why)")]


def duplicate_names(feature, suite):
    findings = []
    for scenario in _scenarios(feature):
        first = suite.scenario_names.setdefault(scenario.name, (feature.filename, scenario.line))
        if first != (feature.filename, scenario.line):
            findings.append(Finding(feature.filename, scenario.line, "duplicate_name",
                                    f"scenario {scenario.name!r} is also at {os.path.relpath(first[0])}:{first[1]}"))
    return findings


def area_of(feature):
    """The area a feature belongs to: the name of its folder (features/<area>/<stem>.feature)."""
    return os.path.basename(os.path.dirname(os.path.abspath(feature.filename)))


def area_tag(feature, _suite):
    area = area_of(feature)
    return [Finding(feature.filename, scenario.line, "area_tag", f"scenario {scenario.name!r} lacks its area tag @{area}")
            for scenario in _scenarios(feature) if area not in set(feature.tags) | set(scenario.tags)]


def id_tag(feature, suite):
    """One `@id.<area>.<feature stem>.<name>` tag per scenario, unique in the suite."""
    prefix = f"{_ID}{area_of(feature)}.{os.path.splitext(os.path.basename(feature.filename))[0]}."
    findings = []
    for scenario in _scenarios(feature):
        ids = [tag for tag in scenario.tags if tag.startswith(_ID)]
        good = [tag for tag in ids if tag.startswith(prefix) and _ID_NAME.match(tag[len(prefix):])]
        where = (feature.filename, scenario.line, "id_tag")
        if len(ids) != 1 or not good:
            found = ", ".join("@" + tag for tag in ids) or "none"
            findings.append(Finding(*where, f"scenario {scenario.name!r} needs exactly one id tag "
                                            f"@{prefix}<name> (lowercase, digits, - or _); found {found}"))
            continue
        first = suite.ids.setdefault(good[0], (feature.filename, scenario.line))
        if first != (feature.filename, scenario.line):
            findings.append(Finding(*where, f"id @{good[0]} is also used at {os.path.relpath(first[0])}:{first[1]}"))
    return findings


RULES = {
    "url": _pattern_rule("url", _URL, "an address"),
    "http_method": _pattern_rule("http_method", _METHOD, "an HTTP method"),
    "status_code": status_codes,
    "json": _pattern_rule("json", _JSON, "JSON"),
    "header": _pattern_rule("header", _HEADER, "a header name"),
    "resource_name": resource_names,
    "description": description,
    "duplicate_name": duplicate_names,
    "area_tag": area_tag,
    "id_tag": id_tag,
}
# id_tag joins once every existing scenario carries its id (issue 12); the tests prove it on fixtures.
ENABLED = tuple(RULES)


class Suite:
    """What rules compare across features: scenario names and ids seen so far, the profiles' names."""

    def __init__(self, resource_names=None):
        self.scenario_names, self.ids = {}, {}
        self.resource_names = _profile_names() if resource_names is None else set(resource_names)


def feature_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for folder, _dirs, files in sorted(os.walk(path)):
                yield from (os.path.join(folder, name) for name in sorted(files) if name.endswith(".feature"))
        elif os.path.isfile(path):
            yield path
        else:
            raise FileNotFoundError(f"no feature file or folder at {path}")


def lint(paths, rules=ENABLED, suite=None):
    """Findings of `rules` over every feature file under `paths`, in file order."""
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ValueError(f"unknown lint rules {unknown}; known: {sorted(RULES)}")
    suite = suite or Suite()
    findings = []
    for path in feature_files(paths):
        try:
            feature = parse_file(path)
        except ParserError as error:
            findings.append(Finding(path, getattr(error, "line", 0) or 0, "syntax", str(error)))
            continue
        if feature is None:
            findings.append(Finding(path, 0, "syntax", "no Feature in this file"))
            continue
        for name in rules:
            findings += RULES[name](feature, suite)
    return findings


def main(argv):
    if not argv:
        print("usage: python -m tools.lint <feature file or folder>...", file=sys.stderr)
        return 2
    try:
        findings = lint(argv)
    except FileNotFoundError as error:
        print(f"lint: {error}", file=sys.stderr)
        return 2
    for finding in findings:
        print(finding)
    files = len(list(feature_files(argv)))
    print(f"lint: {files} feature files, {len(findings)} findings ({', '.join(ENABLED)})")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
