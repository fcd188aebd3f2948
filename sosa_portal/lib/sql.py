"""One SQL-quoting style for the hand-written statements (`lib/`, `queries/`, `partners/people.py`).

Identifiers always come from model metadata and are quoted with the connection's own rule;
values always go as parameters (`%s`), never into the text.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection


def quote(name: str) -> str:
    """An identifier (table or column) quoted for the default connection."""
    return connection.ops.quote_name(name)


def table(model) -> str:
    """A model's table, quoted."""
    return quote(model._meta.db_table)


def column(model, field_name: str, *, alias: str | None = None) -> str:
    """A model field's column, quoted, prefixed by `alias` (or the quoted table)."""
    name = quote(model._meta.get_field(field_name).column)
    return f"{alias or table(model)}.{name}"


def placeholders(count: int) -> str:
    """`%s, %s, …` for `count` parameters (an `IN (…)` list or a row value)."""
    return ", ".join(["%s"] * count)


def array_type(field) -> str:
    """A field's PostgreSQL element type without its length (`varchar`, not `varchar(32)`), so
    an array cast truncates nothing, as Django does."""
    return field.db_type(connection).split("(")[0]


def array_literal(values: list) -> str:
    """A PostgreSQL array in its text form, `{1,NULL,"text"}`, read by the server in one pass
    (psycopg sends a list as `ARRAY[…]` with one cast per element to parse and plan)."""
    if all(type(value) is int for value in values):
        return "{" + ",".join(map(str, values)) + "}"
    if values and all(value is values[0] for value in values):  # one kind, one time for all
        return "{" + ",".join([_array_element(values[0])] * len(values)) + "}"
    # Rows share values (one payload text per notice, one time per sweep): escape each once.
    escaped: dict[int, str] = {}

    def element(value) -> str:
        text = escaped.get(id(value))
        if text is None:
            text = escaped[id(value)] = _array_element(value)
        return text

    return "{" + ",".join(map(element, values)) + "}"


def _array_element(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, dt.date | dt.datetime) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main_read(statements: list[str], table_name: str) -> str | None:
    """Of the SQL a request ran, the statement that reads its page from `table_name`: the
    longest SELECT from it (the count and the lookups are shorter). For query-plan checks."""
    source = f"FROM {quote(table_name)}"
    reads = [text for text in statements if text.startswith("SELECT") and source in text]
    return max(reads, key=len) if reads else None
