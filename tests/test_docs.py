"""The living documentation names every feature, scenario and step, and needs nothing but the file."""
import os
import re
import subprocess
import sys
from html.parser import HTMLParser

from behave.parser import parse_file

from tools.lint import feature_files

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Page(HTMLParser):
    """The page's visible text per element kind, and every address it would load."""

    def __init__(self):
        super().__init__()
        self.headings, self.loads, self.tags, self._in = [], [], [], None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.loads += [attrs[name] for name in ("src", "srcset") if name in attrs]
        if tag == "link" or (tag == "a" and not attrs.get("href", "#").startswith("#")):
            self.loads.append(attrs.get("href"))
        if tag in ("h3", "h4") or attrs.get("class") == "tag":
            self._in, self._text = tag if tag in ("h3", "h4") else "tag", []

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._in and (tag == self._in or (self._in == "tag" and tag == "span")):
            (self.tags if self._in == "tag" else self.headings).append("".join(self._text).strip())
            self._in = None


def test_the_page_names_every_feature_scenario_tag_and_step(tmp_path):
    out = tmp_path / "docs" / "index.html"
    run = subprocess.run([sys.executable, "-m", "tools.docs", "features", str(out)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == f"docs: file://{out}", run.stdout + run.stderr
    page = Page()
    page.feed(out.read_text())
    features = [parse_file(path) for path in feature_files([os.path.join(ROOT, "features")])]
    expected = [f.name for f in features] + [f"{s.keyword}: {s.name}" for f in features for s in f.scenarios]
    assert sorted(h for h in page.headings if h in expected) == sorted(expected)
    missing_tags = {"@" + tag for f in features for s in f.scenarios for tag in s.tags} - set(page.tags)
    assert not missing_tags
    html = out.read_text()
    for step_file in sorted(os.listdir(os.path.join(ROOT, "steps"))):
        source = open(os.path.join(ROOT, "steps", step_file)).read()
        for text in re.findall(r"@(?:given|when|then|step)\('([^']+)'\)|@(?:given|when|then|step)\(\"([^\"]+)\"\)",
                               source):
            shown = (text[0] or text[1]).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
                .replace('"', "&quot;").replace("'", "&#x27;")
            assert shown in html, f"{step_file}: step {text} is not in the catalogue"
    assert page.loads == [], f"the page loads from elsewhere: {page.loads}"
