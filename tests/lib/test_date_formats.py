"""One date format per kind of value (issue 16, point 1): a date-only value and a moment are each
written one way on every page, e-mail and CSV column people read, in either language
(sosa_portal/formats, requests_app/moments)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from requests_app.moments import day_text, moment_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What a `|date:` may be given: the two kinds, and the machine formats of attributes and CSV.
ALLOWED = {'"DATE_FORMAT"', '"DATETIME_FORMAT"', "'c'", "'Y-m-d'"}
MOMENT = dt.datetime(2026, 12, 3, 22, 0, tzinfo=dt.UTC)  # 17:00 in Washington


def test_every_template_writes_dates_in_one_of_the_two_formats():
    used = {
        (path.relative_to(TEMPLATES).as_posix(), found)
        for path in TEMPLATES.rglob("*.*")
        for found in re.findall(r"\|date:(\"[^\"]*\"|'[^']*')", path.read_text())
    }
    assert used, "the templates show dates"
    assert {(path, found) for path, found in used if found not in ALLOWED} == set()


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en-gb", "Wed 10 Jun 2026", "Thu 3 Dec 2026, 17:00 EST"),
        ("hi", "बुध 10 जून 2026", "गुरू 3 दिस् 2026, 17:00 EST"),
    ],
)
def test_a_day_and_a_moment_read_the_same_in_python_and_in_templates(language, day, moment):
    june = dt.date(2026, 6, 10)
    with translation.override(language):
        in_python = (day_text(june), moment_text(MOMENT, "America/New_York"))
        template = Template('{{ day|date:"DATE_FORMAT" }}|{{ moment|date:"DATETIME_FORMAT" }}')
        with timezone.override(ZoneInfo("America/New_York")):
            in_template = template.render(Context({"day": june, "moment": MOMENT})).split("|")

    assert in_python == (day, moment)
    assert tuple(in_template) == in_python
