"""The Hindi catalogue is complete (issue 16 point 10): every entry translated, none fuzzy, every
placeholder kept; nothing the code or templates say is missing from it; and it compiles without
GNU gettext (sosa_portal/lib/catalogue.py)."""

import gettext
import io
import os
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

from sosa_portal.lib.catalogue import compile_catalogues, placeholders, problems
from tests.conftest import need_service

HINDI = Path(settings.LOCALE_PATHS[0]) / "hi" / "LC_MESSAGES" / "django.po"


def msgids(po_path: Path) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in polib.pofile(str(po_path))}


def test_every_hindi_entry_is_translated_not_fuzzy_and_keeps_its_placeholders():
    catalogue = polib.pofile(str(HINDI))

    assert catalogue.metadata["Language"] == "hi"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert len(catalogue) > 1000
    assert problems(HINDI) == []


def test_the_hindi_catalogue_is_in_devanagari_and_keeps_names_as_they_are():
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(HINDI))}

    assert catalogue["Save draft"] == "प्रारूप सहेजें"
    assert catalogue["Liaison officer"] == "संपर्क अधिकारी"
    assert catalogue["Supplier"] == "आपूर्तिकर्ता"
    assert "DPAS" in catalogue["DPAS rated orders"] and "DX" in catalogue["Choose DO or DX"]
    # HTML inside a message stays intact.
    help_link = next(text for msgid, text in catalogue.items() if msgid.startswith("New here"))
    assert '<a href="/help/">' in help_link and "</a>" in help_link


def test_problems_finds_an_empty_a_fuzzy_and_a_placeholder_losing_entry(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Hello %(name)s", msgstr="नमस्ते"))
    po.append(polib.POEntry(msgid="Save", msgstr=""))
    po.append(polib.POEntry(msgid="Send", msgstr="भेजें", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="{name} is empty", msgstr="{name} खाली है"))
    po.append(
        polib.POEntry(
            msgid="One item",
            msgid_plural="%(n)d items",
            msgstr_plural={0: "एक मद", 1: "%(n)d मदें"},
        )
    )
    path = tmp_path / "django.po"
    po.save(str(path))

    found = {(problem.msgid, problem.what.split()[0]) for problem in problems(path)}

    assert found == {
        ("Hello %(name)s", "placeholders"),
        ("Save", "untranslated"),
        ("Send", "fuzzy"),
    }
    assert placeholders("90%% within %(p)s days") == ["%(p)s"]


def test_the_catalogue_compiles_without_gnu_gettext_into_what_gettext_reads(tmp_path):
    folder = tmp_path / "hi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(HINDI, folder / "django.po")

    written = compile_catalogues(tmp_path)

    assert written == [folder / "django.mo"]
    assert compile_catalogues(tmp_path, only_stale=True) == []  # up to date: nothing to do
    with open(written[0], "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Save draft") == "प्रारूप सहेजें"
    assert compiled.ngettext("%(n)s unread", "%(n)s unread", 3) == "%(n)s अपठित"


def test_makemessages_finds_nothing_the_catalogue_lacks_or_no_longer_needs(tmp_path, settings):
    tools = all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib"))
    need_service("GNU gettext", tools, "apt-get install gettext")
    # makemessages writes each source's strings into the `locale/` of the tree holding it, so
    # it runs in a copy of the tree: the committed catalogue is read, never rewritten.
    tree = tmp_path / "tree"
    shutil.copytree(
        settings.BASE_DIR,
        tree,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "var", "__pycache__", ".*_cache", "*.mo", "*.png"
        ),
    )
    copy = tree / "locale" / "hi" / "LC_MESSAGES" / "django.po"
    settings.LOCALE_PATHS = [tree / "locale"]

    here = os.getcwd()
    os.chdir(tree)  # makemessages reads the tree it runs in
    try:
        call_command("update_catalogue", stdout=io.StringIO())
    finally:
        os.chdir(here)

    new = msgids(copy) - msgids(HINDI)
    gone = msgids(HINDI) - msgids(copy)
    assert not new, f"not in the catalogue yet (manage.py update_catalogue, then translate): {new}"
    assert not gone, f"no longer used (manage.py update_catalogue drops them): {gone}"
    assert problems(copy) == []
