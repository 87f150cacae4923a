"""The site as a browser and the contract see it: where pages live in a project, and what a
built page links to and is titled."""
import re
from html.parser import HTMLParser


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.title, self._in_title = [], "", False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_page(html):
    parser = _Links()
    parser.feed(html)
    return parser


def page_source_path(title):
    """Where the contract says a page titled `title` lives in the project."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"src/pages/{slug}.astro"


def component_source_path(name):
    return f"src/components/{name}.astro"
