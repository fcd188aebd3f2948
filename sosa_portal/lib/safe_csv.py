"""CSV that a spreadsheet opens safely, streamed row by row.

A cell that starts like a formula (`=`, `+`, `-`, `@`, tab, carriage return) is written with a
leading apostrophe so Excel and LibreOffice keep it as text (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One value as a CSV cell: None is empty; formula-like text is kept as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The header, then each row, as CSV text lines with every cell guarded."""
    writer = csv.writer(_Echo())
    yield writer.writerow([cell(value) for value in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])


def streaming_response(header: Iterable, rows: Iterable[Iterable], filename: str):
    """A `text/csv` attachment streamed from `rows` (never held whole in memory)."""
    response = StreamingHttpResponse(lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
