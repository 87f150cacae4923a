"""The edit container's instruction interpreter and build, on a real project directory."""
import shutil
import tempfile
from pathlib import Path

import pytest

from stack.preview import site


@pytest.fixture
def project():
    root = Path(tempfile.mkdtemp(prefix="site-test-"))
    site.create_project(root / "project")
    yield root / "project"
    shutil.rmtree(root)


@pytest.mark.parametrize(
    "instruction, path, message",
    [
        ('Add a new page called "Test Page"', "src/pages/test-page.astro", "Add Test Page page"),
        ("Create a components/Header.astro file", "src/components/Header.astro", "Create Header component"),
        ("Create page A", "src/pages/page-a.astro", "Create Page A page"),
        ("create a page called \u201cAbout Us\u201d.", "src/pages/about-us.astro", "Create About Us page"),
        ("Add a Footer component", "src/components/Footer.astro", "Add Footer component"),
        ("Update Header.astro with new content", "src/components/Header.astro", "Update Header component"),
        ("Update the Test Page page with a welcome", "src/pages/test-page.astro", "Update Test Page page"),
    ],
)
def test_instructions_name_their_file_and_commit_message(instruction, path, message):
    change = site.interpret(instruction)
    assert (change.path, change.message) == (path, message)


def test_a_new_page_is_built_with_its_title_and_listed_on_the_index(project):
    site.interpret('Add a new page called "Test Page"').apply(project)

    built = site.build(project)

    assert sorted(built) == ["index.html", "test-page.html"]
    page = (project / "dist/test-page.html").read_text()
    assert "<title>Test Page</title>" in page and "<h1>Test Page</h1>" in page
    assert '<a href="test-page.html">Test Page</a>' in (project / "dist/index.html").read_text()


def test_page_a_is_titled_page_a(project):
    site.interpret("Create page A").apply(project)
    site.build(project)
    assert "<title>Page A</title>" in (project / "dist/page-a.html").read_text()


def test_updating_a_component_changes_it_and_pages_show_its_body(project):
    site.interpret("Create a components/Header.astro file").apply(project)
    created = (project / "src/components/Header.astro").read_text()
    (project / "src/pages/index.astro").write_text("---\ntitle: Home\n---\n<Header />\n<p>Hello</p>\n")

    site.interpret("Update Header.astro with new content").apply(project)
    site.build(project)

    updated = (project / "src/components/Header.astro").read_text()
    assert updated != created and "new content" in updated
    index = (project / "dist/index.html").read_text()
    assert "<p>new content</p>" in index and "<Header" not in index


def test_updating_a_missing_component_fails_and_writes_nothing(project):
    with pytest.raises(site.MissingTarget, match="does not exist"):
        site.interpret("Update Header.astro with new content").apply(project)
    assert not (project / "src/components").exists()


def test_an_instruction_it_cannot_understand_is_refused_clearly():
    with pytest.raises(site.InstructionNotUnderstood, match="could not understand instruction: 'Make it pop'"):
        site.interpret("Make it pop")


@pytest.mark.parametrize(
    "instruction",
    [
        "Create a components/../../../escape.astro file",
        "Create a /tmp/escape.astro file",
        'Add a new page called "../../escape"',
        "Update ../../escape.astro with new content",
        'Add a new page called "!!!"',
    ],
)
def test_names_with_path_characters_or_no_letters_are_refused(project, instruction):
    before = sorted(p for p in project.parent.rglob("*"))
    with pytest.raises(site.UnsafeName):
        site.interpret(instruction)
    assert sorted(p for p in project.parent.rglob("*")) == before


def test_a_page_using_an_unknown_component_fails_the_build(project):
    (project / "src/pages/broken.astro").write_text("---\ntitle: Broken\n---\n<Missing />\n")
    with pytest.raises(site.BuildError, match="unknown component <Missing />"):
        site.build(project)


def test_titles_are_escaped_in_the_built_html(project):
    site.interpret('Add a page called "Fish & <Chips>"').apply(project)
    site.build(project)
    assert "<title>Fish &amp; &lt;Chips&gt;</title>" in (project / "dist/fish-chips.html").read_text()
