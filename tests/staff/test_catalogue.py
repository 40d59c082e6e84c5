"""The Spanish catalogue translates every string of the project: `makemessages -l es`, run on a copy of the
sources, leaves no entry empty and none fuzzy (a fuzzy entry is not used: Django shows the English)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# What makemessages reads (and what manage.py needs to start); the rest of the tree stays behind.
READ = {".py", ".html", ".txt", ".po"}
LEFT_OUT = {".venv", ".git", "tests", "bench", "node_modules", "__pycache__", "media", "static"}
CATALOGUE = Path("locale/es/LC_MESSAGES/django.po")

needs_gettext = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msgattrib")), reason="GNU gettext not installed"
)


def copy_sources(source: Path, target: Path) -> None:
    for directory, subdirectories, files in os.walk(source):
        subdirectories[:] = [name for name in subdirectories if name not in LEFT_OUT and not name.startswith(".")]
        for name in files:
            path = Path(directory, name)
            if path.suffix in READ:
                copied = target / path.relative_to(source)
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copied)


def msgids(catalogue: Path, *attribute_options: str) -> list[str]:
    """The entries msgattrib selects, by their msgid (the first line of it)."""
    selected = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", *attribute_options, str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = [line.removeprefix("msgid ") for line in selected.splitlines() if line.startswith("msgid ")]
    return [msgid for msgid in ids if msgid != '""']  # the header


@pytest.fixture(scope="module")
def made_messages(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("sources")
    copy_sources(Path(settings.BASE_DIR), copy)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "--verbosity", "0"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy / CATALOGUE


@needs_gettext
def test_makemessages_leaves_no_string_untranslated(made_messages):
    assert msgids(made_messages, "--untranslated") == []


@needs_gettext
def test_makemessages_leaves_no_fuzzy_translation(made_messages):
    assert msgids(made_messages, "--only-fuzzy") == []
