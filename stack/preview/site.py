"""What the edit container does to a site: understand an instruction, change a file, build HTML.

Production runs Claude and `astro build`. The embedded stack needs the same observable effects
(a file in the workspace, a commit message, built pages) for the instruction shapes the suite
sends, and must never write outside the project, whatever an instruction says.
"""
import html
import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

LAYOUT = "src/layouts/Base.astro"

TEMPLATE = {
    "package.json": json.dumps(
        {
            "name": "webordinary-site",
            "private": True,
            "type": "module",
            "scripts": {"dev": "astro dev", "build": "astro build"},
            "dependencies": {"astro": "^4.0.0"},
        },
        indent=2,
    )
    + "\n",
    ".gitignore": "dist/\nnode_modules/\n",
    LAYOUT: (
        "---\n"
        "// Every page is wrapped in this layout by the build.\n"
        "---\n"
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n</head>\n'
        "<body>\n<h1>{title}</h1>\n<slot />\n</body>\n</html>\n"
    ),
    "src/pages/index.astro": "---\ntitle: Home\n---\n<p>Welcome to your site.</p>\n",
}


class InstructionError(ValueError):
    """An instruction that cannot be applied; the worker reports it as a failed instruction."""


class InstructionNotUnderstood(InstructionError):
    pass


class UnsafeName(InstructionError):
    pass


class MissingTarget(InstructionError):
    pass


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Change:
    """One file an instruction creates or rewrites, and the commit message that records it."""

    path: str
    message: str
    kind: str  # "page" or "component"
    name: str  # page title or component name
    text: str
    update: bool

    def apply(self, project_dir):
        """Writes the file; every write bumps its revision so that it always changes."""
        target = _inside(project_dir, self.path)
        if self.update and not target.is_file():
            raise MissingTarget(f"cannot update {self.path}: the file does not exist")
        meta, _ = _split(target.read_text()) if target.is_file() else ({}, "")
        previous = meta.get("revision", "0")
        revision = int(previous) + 1 if previous.isdigit() else 1
        title = meta.get("title", self.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(self._render(title, revision))
        return self.path

    def _render(self, title, revision):
        text = html.escape(self.text)
        if self.kind == "page":
            return f"---\ntitle: {title}\nrevision: {revision}\n---\n<p>{text}</p>\n"
        return (
            f"---\nname: {self.name}\nrevision: {revision}\n---\n"
            f'<section class="{slugify(self.name)}">\n  <p>{text}</p>\n</section>\n'
        )


_NAME = r"""(?P<q>["']?)(?P<name>.+?)(?P=q)"""
_FILE = r"""["']?(?:src/)?(?P<dir>components/|pages/)?(?P<file>[^\s"']+?)\.astro["']?"""
_WITH = r"(?:\s+(?:with|to say|to read)\s+(?P<text>.+?))?"
_ARTICLE = r"(?:(?:an?|the)\s+)?(?:new\s+)?"
_CALLED = r"(?:called|named|titled)"

_PAGE = re.compile(
    rf"^(?P<verb>add|create)\s+{_ARTICLE}page(?:\s+(?P<named>{_CALLED}))?\s+(?!{_CALLED}$){_NAME}$", re.I
)
_COMPONENT_FILE = re.compile(
    rf"^(?P<verb>add|create)\s+{_ARTICLE}(?:component\s+)?{_FILE}(?:\s+(?:file|component))?$", re.I
)
_COMPONENT = re.compile(
    rf"^(?P<verb>add|create)\s+{_ARTICLE}(?:component\s+{_CALLED}\s+{_NAME}|(?P<bare>\S+)\s+component)$", re.I
)
_UPDATE_FILE = re.compile(
    rf"^(?:update|change|edit)\s+(?:the\s+)?{_FILE}(?:\s+(?P<kind>file|component|page))?{_WITH}$", re.I
)
_UPDATE_NAMED = re.compile(rf"^(?:update|change|edit)\s+(?:the\s+)?{_NAME}\s+(?P<kind>component|page){_WITH}$", re.I)

_COMPONENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def interpret(instruction):
    """The Change an instruction asks for; raises InstructionError for anything else."""
    text = re.sub(r"\.$", "", " ".join(str(instruction).translate(_QUOTES).split()))
    if match := _PAGE.match(text):
        name = match["name"].strip("\"' ")
        title = name if match["named"] or match["q"] else f"Page {name}"
        return _page(title, match["verb"].capitalize(), update=False, text=f"This is the {title} page.")
    if match := _COMPONENT_FILE.match(text):
        if match["dir"] and match["dir"].lower() == "pages/":
            raise InstructionNotUnderstood(f"could not understand instruction: {instruction!r} (name pages by title)")
        return _component(match["file"], match["verb"].capitalize(), update=False, text=match["file"])
    if match := _COMPONENT.match(text):
        name = (match["name"] or match["bare"]).strip("\"' ")
        return _component(name, match["verb"].capitalize(), update=False, text=name)
    if match := _UPDATE_FILE.match(text):
        new_text = match["text"] or "updated content"
        if (match["dir"] or "").lower() == "pages/" or (match["kind"] or "").lower() == "page":
            return _page(match["file"], "Update", update=True, text=new_text, slug=match["file"])
        return _component(match["file"], "Update", update=True, text=new_text)
    if match := _UPDATE_NAMED.match(text):
        new_text = match["text"] or "updated content"
        name = match["name"].strip("\"' ")
        if match["kind"].lower() == "page":
            return _page(name, "Update", update=True, text=new_text)
        return _component(name, "Update", update=True, text=new_text)
    raise InstructionNotUnderstood(f"could not understand instruction: {instruction!r}")


def _page(title, verb, update, text, slug=None):
    _check_path_free(title, "page")
    slug = slug or slugify(title)
    if not slug:
        raise UnsafeName(f"page name {title!r} has no letters or digits to name a file after")
    return Change(f"src/pages/{slug}.astro", f"{verb} {title} page", "page", title, text, update)


def _component(name, verb, update, text):
    _check_path_free(name, "component")
    if not _COMPONENT_NAME.match(name):
        raise UnsafeName(f"component name {name!r} must be letters, digits, _ or - and start with a letter")
    return Change(f"src/components/{name}.astro", f"{verb} {name} component", "component", name, text, update)


def _check_path_free(name, what):
    if "/" in name or "\\" in name or ".." in name:
        raise UnsafeName(f"{what} name {name!r} contains path characters")


def slugify(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _inside(project_dir, relative):
    project = Path(project_dir).resolve()
    target = (project / relative).resolve()
    if not target.is_relative_to(project):
        raise UnsafeName(f"{relative} is outside the project")
    return target


def create_project(project_dir):
    """Writes the template files a fresh project lacks; existing files are kept."""
    for relative, content in TEMPLATE.items():
        target = _inside(project_dir, relative)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)


def _split(source):
    """(frontmatter as a dict, body) of an .astro file."""
    match = re.match(r"^---\n(.*?)\n?---\n?(.*)$", source, re.S)
    if not match:
        return {}, source
    meta = {}
    for line in match[1].splitlines():
        key, sep, value = line.partition(":")
        if sep and not key.lstrip().startswith("//"):
            meta[key.strip()] = value.strip()
    return meta, match[2]


_TAG = re.compile(r"<([A-Z][A-Za-z0-9_-]*)\s*/>")


def _expand(body, components, where, stack=()):
    def replace(match):
        name = match[1]
        if name not in components:
            raise BuildError(f"{where}: unknown component <{name} />")
        if name in stack:
            raise BuildError(f"{where}: component <{name} /> includes itself")
        return _expand(components[name], components, where, (*stack, name))

    return _TAG.sub(replace, body)


def build(project_dir):
    """Builds src/pages/*.astro into dist/<page>.html; returns the built file names."""
    project = Path(project_dir)
    layout_file = project / LAYOUT
    layout = _split(layout_file.read_text())[1] if layout_file.is_file() else _split(TEMPLATE[LAYOUT])[1]
    components = {p.stem: _split(p.read_text())[1] for p in sorted((project / "src/components").glob("*.astro"))}
    pages = []
    for source in sorted((project / "src/pages").glob("*.astro")):
        meta, body = _split(source.read_text())
        pages.append((source.stem, meta.get("title", source.stem), _expand(body, components, source.name)))
    dist = project / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir()
    links = "".join(
        f'<li><a href="{html.escape(slug)}.html">{html.escape(title)}</a></li>\n'
        for slug, title, _ in pages
        if slug != "index"
    )
    built = []
    for slug, title, body in pages:
        if slug == "index":
            body = f'{body}<nav>\n<ul class="pages">\n{links}</ul>\n</nav>\n'
        page = layout.replace("{title}", html.escape(title)).replace("<slot />", body)
        (dist / f"{slug}.html").write_text(page)
        built.append(f"{slug}.html")
    return built
