"""How a clock was counted, kept as words rather than as one language's sentence (issue 16
point 10). `deadlines` builds each explanation as a phrase — data naming a message of `WORDS`
and its values — that a page or an e-mail says in its reader's language (`say`); the English
sentence stored beside it (`Clock.explanation`) is what the API gives, word for word as before.

A phrase is JSON:

- a string or a number: said as it is (a nation's name, a holiday, what someone typed);
- {"w": key, "a": {name: phrase}}: the message `WORDS[key]`, its values said first (a plural
  message picks its form by the whole number "n");
- [phrase, …]: the phrases, one after the other, separated by commas;
- {"day": "2026-11-25"}: a day, "Wed 25 Nov 2026" (with "year": False, "Wed 25 Nov");
- {"at": "2026-12-10T17:00:00-05:00", "zone": "America/New_York"}: a moment where it happens,
  "Thu 10 Dec 17:00 EST";
- {"posture": "emergency"}: a posture's name, "Emergency".

Keys are stored: a message may be reworded, never a key renamed or removed (`say` of a key it
no longer knows raises; `text` then falls back to the stored sentence).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy, ngettext_lazy, pgettext_lazy

from partners.models import Posture

Phrase = Any  # str | int | list | dict, as above

WORDS = {
    "due": gettext_lazy("%(how)s → due %(at)s"),
    "committed": gettext_lazy("the committed delivery date"),
    "item_committed": gettext_lazy("%(item)s: the committed date"),
    "working_days": ngettext_lazy("%(n)s working day", "%(n)s working days", "n"),
    "calendar_days": ngettext_lazy(
        "%(n)s day around the clock", "%(n)s days around the clock", "n"
    ),
    "receipt": gettext_lazy("%(days)s after receipt on %(day)s"),
    "around_receipt": gettext_lazy("%(days)s after receipt at %(at)s"),
    "resumed": gettext_lazy("resumed on %(day)s with %(days)s left"),
    "around_resumed": gettext_lazy("resumed at %(at)s with %(days)s left"),
    "conduct": gettext_lazy(
        "%(nation)s's Code of Conduct asks a response within %(days)s (best effort): %(how)s"
    ),
    "rated": gettext_lazy("%(rating)s-rated order: %(how)s"),
    "emergency": gettext_lazy("emergency: %(how)s"),
    "skipping": gettext_lazy("%(how)s, skipping %(skipped)s"),
    "holiday": gettext_lazy("%(day)s %(name)s"),
    "weekends": ngettext_lazy("%(count)s weekend", "%(count)s weekends", "n"),
    "and": gettext_lazy("%(first)s and %(last)s"),
    "posture": gettext_lazy("%(posture)s posture"),
    "posture_since": gettext_lazy("%(posture)s posture since %(day)s"),
    "in_posture": gettext_lazy("%(posture)s: %(how)s"),
    "in_posture_legal": gettext_lazy(
        "%(posture)s (the DPAS duty is the same in every posture): %(how)s"
    ),
    "already_due": gettext_lazy(
        "%(posture)s: it was already due on %(at)s when the posture changed, and stays due then"
    ),
    "passed": gettext_lazy(
        "%(how)s; that time had passed when the posture changed → due now, %(at)s"
    ),
    # Small counts in words ("two weekends"), as the explanations always wrote them.
    "count_1": pgettext_lazy("a count in words", "one"),
    "count_2": pgettext_lazy("a count in words", "two"),
    "count_3": pgettext_lazy("a count in words", "three"),
    "count_4": pgettext_lazy("a count in words", "four"),
    "count_5": pgettext_lazy("a count in words", "five"),
    "count_6": pgettext_lazy("a count in words", "six"),
}


def words(key: str, **values: Phrase) -> dict:
    """The phrase of `WORDS[key]` with these values."""
    assert key in WORDS, key
    return {"w": key, "a": values} if values else {"w": key}


def day(value: dt.date, *, year: bool = True) -> dict:
    return {"day": value.isoformat()} if year else {"day": value.isoformat(), "year": False}


def moment(value: dt.datetime, zone) -> dict:
    return {"at": value.isoformat(), "zone": str(zone)}


def posture(code: str) -> dict:
    return {"posture": code}


def count(value: int) -> Phrase:
    """ "two": a count of six or fewer in words, a larger one in figures."""
    return words(f"count_{value}") if 1 <= value <= 6 else value


def say(phrase: Phrase) -> str:
    """The phrase in the active language."""
    if isinstance(phrase, str):
        return phrase
    if isinstance(phrase, int | float):
        return str(phrase)
    if isinstance(phrase, list):
        return ", ".join(say(part) for part in phrase)
    if "w" in phrase:
        values = {
            name: value if name == "n" else say(value)
            for name, value in (phrase.get("a") or {}).items()
        }
        message = WORDS[phrase["w"]]
        return str(message % values) if values else str(message)
    if "day" in phrase:
        shape = "D j M Y" if phrase.get("year", True) else "D j M"
        return date_format(dt.date.fromisoformat(phrase["day"]), shape)
    if "at" in phrase:
        local = dt.datetime.fromisoformat(phrase["at"]).astimezone(ZoneInfo(phrase["zone"]))
        return f"{date_format(local, 'D j M')} {local:%H:%M %Z}"
    if "posture" in phrase:
        return str(Posture(phrase["posture"]).label)
    raise ValueError(f"not a phrase: {phrase!r}")


def english(phrase: Phrase) -> str:
    """The phrase in the portal's own language: the sentence stored and given by the API."""
    with translation.override(settings.LANGUAGE_CODE):
        return say(phrase)


def text(phrase: Phrase | None, stored: str) -> str:
    """An explanation for its reader: the phrase in the active language, else (a clock or a
    notice written before explanations were kept as words) the stored sentence."""
    if not phrase:
        return stored
    try:
        return say(phrase)
    except (KeyError, TypeError, ValueError):
        return stored
