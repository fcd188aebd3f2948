"""Many rows in one statement: `INSERT … SELECT FROM unnest(…)` and `UPDATE … FROM unnest(…)`.

On PostgreSQL these skip model instances and Django's per-row CASE; elsewhere (the SQLite demo)
they fall back to `bulk_create` / `bulk_update`, with the same results.
"""

from __future__ import annotations

import json

from django.db import connection

from .sql import array_literal, array_type, quote


def insert_rows(
    model, fields: list[str], rows: list[tuple], *, ignore_conflicts: bool = False
) -> list[int]:
    """Insert plain tuples of `fields` (attnames) and return the new ids in row order.

    On PostgreSQL one `INSERT … SELECT FROM unnest(…)` per call: no model instances, and each
    JSON value is encoded once however many rows share it. Elsewhere Django's bulk_create.
    With `ignore_conflicts` rows that break a unique constraint are skipped and no ids return.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows],
            ignore_conflicts=ignore_conflicts,
        )
        return [] if ignore_conflicts else [obj.pk for obj in objs]
    meta = model._meta
    by_attname = {field.attname: field for field in meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    arrays = [list(values) for values in zip(*rows, strict=True)]
    for index, column in enumerate(columns):
        if column.get_internal_type() == "JSONField":
            arrays[index] = _encode_json(arrays[index], column.encoder)
    literals = [array_literal(values) for values in arrays]
    names = ", ".join(quote(column.column) for column in columns)
    unnest = ", ".join(f"%s::{array_type(column)}[]" for column in columns)
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) SELECT * FROM unnest({unnest})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    else:
        # Returned in input order, which Django's own bulk_create relies on as well.
        sql += f" RETURNING {quote(meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, literals)
        return [] if ignore_conflicts else [row[0] for row in cursor.fetchall()]


def _encode_json(values: list, encoder) -> list[str | None]:
    encoded: dict[int, str] = {}  # by object identity: a payload shared by rows is dumped once
    out: list[str | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        key = id(value)
        if key not in encoded:
            encoded[key] = json.dumps(value, cls=encoder)
        out.append(encoded[key])
    return out


def update_rows(model, rows: list, fields: list[str]) -> None:
    """Write `fields` of many rows in one statement (`UPDATE … FROM unnest(…)` on PostgreSQL,
    where Django's bulk_update builds a slow CASE per field). A row is any object with `pk`
    and the fields' attnames: a model instance or a light row."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        columns = [model._meta.get_field(name).attname for name in fields]
        instances = [
            row
            if isinstance(row, model)
            else model(pk=row.pk, **{name: getattr(row, name) for name in columns})
            for row in rows
        ]
        model.objects.bulk_update(instances, fields)
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    # In id order: the rows are visited in index and heap order, and locked in a stable one.
    rows = sorted(rows, key=lambda row: row.pk)
    # Values go to the database as they are (ints, aware datetimes, None), like insert_rows;
    # JSON encoded as insert_rows encodes it.
    arrays = [array_literal([row.pk for row in rows])] + [
        array_literal(
            _encode_json([getattr(row, column.attname) for row in rows], column.encoder)
            if column.get_internal_type() == "JSONField"
            else [getattr(row, column.attname) for row in rows]
        )
        for column in columns
    ]
    unnest = ", ".join(
        [f"%s::{array_type(meta.pk)}[]"] + [f"%s::{array_type(c)}[]" for c in columns]
    )
    assignments = ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns)
    names = ", ".join(quote(c.column) for c in columns)
    # The `= ANY` repeats the ids so the planner reaches the rows by primary key; joined to the
    # unnest alone it hashes a sequential scan of the whole table, every batch.
    table = quote(meta.db_table)
    pk = f"{table}.{quote(meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({unnest}) AS v(pk, {names}) "
            f"WHERE {pk} = v.pk AND {pk} = ANY(%s::{array_type(meta.pk)}[])",
            [*arrays, arrays[0]],
        )
