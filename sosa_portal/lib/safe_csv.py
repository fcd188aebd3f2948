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


def capped(rows: Iterable[Iterable], limit: int, note: str) -> Iterator[Iterable]:
    """At most `limit` rows, then one row saying the rest was left out (`note`), so an export
    costs the same however much matches and never ends silently short."""
    for number, row in enumerate(rows):
        if number == limit:
            yield [note]
            return
        yield row


def streaming_response(
    header: Iterable, rows: Iterable[Iterable], filename: str, *, limit: int | None = None
):
    """A `text/csv` attachment streamed from `rows` (never held whole in memory); with `limit`,
    at most that many rows and a last one saying more were left out."""
    if limit is not None:
        rows = capped(
            rows, limit, f"# More than {limit:,} rows: the rest is left out. Narrow the filters."
        )
    response = StreamingHttpResponse(lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
