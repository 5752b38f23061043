"""Chinese first, English complete: the catalogues cover every marked string and are compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import ROOT, require_service

LANGUAGES = ["zh_Hans", "en"]


def _catalogue(language: str, root: Path = ROOT) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)

    untranslated = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]

    assert untranslated == []
    assert catalogue.fuzzy_entries() == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    source = _catalogue(language)
    compiled = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))

    def pairs(catalogue):
        return {
            (e.msgctxt, e.msgid, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if not e.obsolete and e.msgid
        }

    assert pairs(compiled) == pairs(source), "run `make messages` and commit the .mo files"


def test_catalogue_holds_every_string_marked_in_the_code(tmp_path):
    require_service(shutil.which("xgettext") is not None, "GNU gettext (xgettext)")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", "staticfiles", ".git", "node_modules", "__pycache__")
    )

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-location", "--ignore", "static/*"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "true"},
    )

    current = {e.msgid for e in _catalogue("zh_Hans") if not e.obsolete}
    wanted = {e.msgid for e in _catalogue("zh_Hans", copy) if not e.obsolete}
    assert wanted - current == set(), "strings missing from the catalogue: run `make messages` and translate"
