"""Translation catalogues: compile each `locale/<lang>/LC_MESSAGES/*.po` into its `.mo`, and check
a catalogue is complete — in pure Python (polib), so a machine without GNU gettext builds them too.

The `.mo` files are built (`make`, the Dockerfile), never committed: the `.po` is the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polib

# What `makemessages` must not read: other people's code, tests, generated files.
EXTRACT_IGNORE = (".venv/*", "node_modules/*", "var/*", "tests/*", "benchmarks/*", "docs/*")
# %(name)s, %s, %d, {name}: what the code fills in, which a translation must keep as it is.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sdfr]|%[sdfr]|\{[a-z_0-9]*\}", re.IGNORECASE)


def catalogues(locale_dir: Path) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def compile_catalogues(locale_dir: Path, *, only_stale: bool = False) -> list[Path]:
    """Write each catalogue's `.mo` beside it (only those older than their `.po` with
    `only_stale`); return the `.mo` files written. Fuzzy and empty entries are left out."""
    written = []
    for po_path in catalogues(locale_dir):
        mo_path = po_path.with_suffix(".mo")
        if only_stale and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


@dataclass(frozen=True)
class Problem:
    msgid: str
    what: str


def problems(po_path: Path) -> list[Problem]:
    """Every entry that is untranslated, fuzzy, or loses or invents a placeholder."""
    found = []
    for entry in polib.pofile(str(po_path)):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(Problem(entry.msgid, "fuzzy"))
        forms = (
            [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
            if entry.msgid_plural
            else [entry.msgstr]
        )
        if not forms or any(not text.strip() for text in forms):
            found.append(Problem(entry.msgid, "untranslated"))
            continue
        # Form 0 is the singular (Hindi: n == 1); every other form answers to the plural msgid.
        for number, text in enumerate(forms):
            source = entry.msgid if number == 0 else entry.msgid_plural
            if set(placeholders(text)) != set(placeholders(source)):
                found.append(Problem(entry.msgid, f"placeholders {placeholders(text)}"))
    return found
