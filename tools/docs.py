"""Living documentation: one HTML page that tells a product owner what the suite can say.

Features grouped by area (their folder) with descriptions, scenarios with their tags, steps and
examples, and the catalogue of every step the suite understands (`behave --steps-catalog`). The page
has no scripts, styles or fonts from elsewhere, so it opens from disk and can be mailed.

    python -m tools.docs features reports/docs/index.html
"""
import html
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

from behave.parser import parse_file

from support.areas import BY_NAME
from tools.lint import area_of, feature_files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { border-bottom: 2px solid #444; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #bbb; }
.feature { margin: 1.5rem 0; padding: 0.5rem 1rem; border-left: 4px solid #4a7; background: #f7faf8; }
.description { white-space: pre-line; color: #444; font-style: italic; }
.scenario { margin: 1rem 0 1rem 1rem; } .scenario h4 { margin-bottom: 0.2rem; }
.tag { display: inline-block; font-size: 0.8rem; background: #e4ecf7; border-radius: 3px; padding: 0 0.3rem;
       margin-right: 0.3rem; font-family: monospace; }
.steps { list-style: none; padding-left: 1rem; margin: 0.3rem 0; } .keyword { font-weight: bold; color: #365; }
table { border-collapse: collapse; margin: 0.3rem 0 0.3rem 2rem; } td, th { border: 1px solid #ccc; padding: 0 0.4rem; }
pre { background: #f2f2f2; padding: 0.4rem; margin-left: 2rem; } nav li { margin: 0.1rem 0; }
.catalog li { font-family: monospace; margin: 0.15rem 0; }
"""


def _e(text):
    return html.escape(str(text), quote=True)


def _slug(*parts):
    return re.sub(r"[^a-z0-9]+", "-", " ".join(parts).lower()).strip("-")


def step_catalog():
    """[(keyword, text, doc)] of every step definition, as `behave --steps-catalog` lists them."""
    with tempfile.TemporaryDirectory(prefix="docs-") as scratch:
        run = subprocess.run([sys.executable, "-m", "behave", "--steps-catalog", "--no-junit"], cwd=ROOT,
                             env={**os.environ, "ALLURE_RESULTS_DIR": scratch}, capture_output=True, text=True,
                             timeout=120)
    if run.returncode != 0:
        raise RuntimeError(f"behave --steps-catalog failed ({run.returncode}): {run.stderr.strip()[-500:]}")
    entries = []
    for block in re.split(r"\n\s*\n", run.stdout):
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("USING RUNNER")]
        if lines:
            keyword, _, text = lines[0].strip().partition(" ")
            entries.append((keyword, text, " ".join(line.strip() for line in lines[1:])))
    return entries


def _table(table):
    head = "".join(f"<th>{_e(cell)}</th>" for cell in table.headings)
    rows = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row.cells) + "</tr>" for row in table.rows)
    return f"<table><tr>{head}</tr>{rows}</table>"


def _steps(steps):
    items = []
    for step in steps:
        extra = (_table(step.table) if step.table else "") + (f"<pre>{_e(step.text)}</pre>" if step.text else "")
        items.append(f'<li><span class="keyword">{_e(step.keyword)}</span> {_e(step.name)}{extra}</li>')
    return f'<ul class="steps">{"".join(items)}</ul>'


def _tags(tags):
    return "".join(f'<span class="tag">@{_e(tag)}</span>' for tag in tags)


def _scenario(feature, scenario):
    examples = "".join(f"<p><b>{_e(ex.keyword)}:</b> {_e(ex.name or '')}</p>{_tags(ex.tags)}{_table(ex.table)}"
                       for ex in getattr(scenario, "examples", None) or () if ex.table)
    description = "\n".join(scenario.description or ())
    return (f'<div class="scenario" id="{_slug(feature.name, scenario.name)}">'
            f"<h4>{_e(scenario.keyword)}: {_e(scenario.name)}</h4>{_tags(scenario.tags)}"
            + (f'<p class="description">{_e(description)}</p>' if description else "")
            + _steps(scenario.steps) + examples + "</div>")


def _feature(feature):
    scenarios = list(feature.scenarios) + [s for rule in getattr(feature, "rules", None) or () for s in rule.scenarios]
    background = (f"<p><b>{_e(feature.background.keyword)}:</b></p>{_steps(feature.background.steps)}"
                  if feature.background else "")
    return (f'<section class="feature" id="{_slug(feature.name)}"><h3>{_e(feature.name)}</h3>'
            f'{_tags(feature.tags)}<p class="description">{_e(chr(10).join(feature.description))}</p>'
            f"<p><small>{_e(os.path.relpath(feature.filename, ROOT))}</small></p>"
            + background + "".join(_scenario(feature, scenario) for scenario in scenarios) + "</section>")


def render(features_dir, catalog):
    """The whole page as a string."""
    areas = {}
    for path in feature_files([features_dir]):
        feature = parse_file(path)
        areas.setdefault(area_of(feature), []).append(feature)
    nav, body = [], []
    for area in sorted(areas):
        title = BY_NAME[area].title if area in BY_NAME else area
        nav.append(f'<li><a href="#area-{_e(area)}">{_e(title)}</a><ul>'
                   + "".join(f'<li><a href="#{_slug(f.name)}">{_e(f.name)}</a></li>' for f in areas[area])
                   + "</ul></li>")
        body.append(f'<h2 id="area-{_e(area)}">{_e(title)} <span class="tag">@{_e(area)}</span></h2>'
                    + "".join(_feature(feature) for feature in areas[area]))
    steps = "".join(f'<li><span class="keyword">{_e(keyword)}</span> {_e(text)}'
                    + (f"<br><small>{_e(doc)}</small>" if doc else "") + "</li>" for keyword, text, doc in catalog)
    scenario_count = sum(len(f.scenarios) for features in areas.values() for f in features)
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>What the acceptance suite checks"
            f"</title><style>{STYLE}</style></head><body><h1>What the acceptance suite checks</h1>"
            f"<p>{sum(map(len, areas.values()))} features and {scenario_count} scenarios in {len(areas)} areas; "
            f"{len(catalog)} steps. Generated {generated}.</p><nav><ul>{''.join(nav)}"
            '<li><a href="#steps">Step catalogue</a></li></ul></nav>' + "".join(body)
            + f'<h2 id="steps">Step catalogue</h2><ul class="catalog">{steps}</ul></body></html>\n')


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[0]):
        print("usage: python -m tools.docs <features folder> <out .html>", file=sys.stderr)
        return 2
    page = render(argv[0], step_catalog())
    os.makedirs(os.path.dirname(os.path.abspath(argv[1])), exist_ok=True)
    with open(argv[1], "w", encoding="utf-8") as handle:
        handle.write(page)
    print(f"docs: file://{os.path.abspath(argv[1])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
