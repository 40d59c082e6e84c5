"""The README is a front door (short, and every page it sends to exists), and the documentation never
points at a file that is not there, inside the repository or outside it."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) outside code spans; targets with a scheme (https:, mailto:) leave the repository on purpose.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def relative_links(page: Path) -> list[str]:
    text = CODE.sub("", page.read_text(encoding="utf-8"))
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def test_the_readme_is_at_most_150_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves_to_a_file_of_the_repository(page):
    broken = []
    for target in relative_links(page):
        path = unquote(target.split("#", 1)[0])
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or not resolved.is_relative_to(ROOT):
            broken.append(target)
    assert not broken


def test_the_readme_links_every_page_of_the_docs():
    linked = {(README.parent / target.split("#", 1)[0]).resolve() for target in relative_links(README)}
    assert {page.resolve() for page in PAGES[1:]} <= linked
