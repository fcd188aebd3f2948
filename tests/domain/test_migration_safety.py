"""Migrations a live portal survives (issue 18 point 6): `migrate` gives up on a lock after a
timeout instead of stalling the service, and a new migration uses only operations that neither
lock a big table for long nor break the code still running during a rolling deploy."""

from __future__ import annotations

import threading

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations import operations as ops
from django.db.migrations.loader import MigrationLoader
from django.db.models.fields import NOT_PROVIDED

# Migrations up to these were written before the check and ran on small databases; every later
# one is held to it. A migration that must break a rule says why in `unsafe_reviewed = "…"`.
CHECKED_AFTER = {"requests_app": "0027_heartbeats", "partners": "0008_two_factor_invitations"}
# Rewrites a big table or takes a long exclusive lock on PostgreSQL; or drops or renames what
# the code of the previous release still reads while both run.
UNSAFE = (
    ops.AddIndex,  # use AddIndexConcurrently (atomic = False)
    ops.AddConstraint,  # add it NOT VALID, then validate, in a RunSQL
    ops.AlterField,
    ops.RemoveField,  # first a release that stops reading it, then the removal
    ops.RenameField,
    ops.RenameModel,
    ops.DeleteModel,
)


def later_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if app in CHECKED_AFTER and name > CHECKED_AFTER[app]:
            yield f"{app}.{name}", migration


def unsafe_operations(migration) -> list[str]:
    if getattr(migration, "unsafe_reviewed", ""):
        return []
    found = []
    for operation in migration.operations:
        if isinstance(operation, UNSAFE):
            found.append(type(operation).__name__)
        elif isinstance(operation, ops.AddField):
            field = operation.field
            if not field.null and field.db_default is NOT_PROVIDED and not field.primary_key:
                found.append(f"AddField {operation.name} NOT NULL without db_default")
    return found


def test_no_later_migration_uses_an_operation_a_live_database_cannot_take():
    found = {
        name: bad for name, migration in later_migrations() if (bad := unsafe_operations(migration))
    }
    assert found == {}


def test_the_check_sees_an_unsafe_operation_and_a_reviewed_one():
    from django.db import migrations, models

    class Risky(migrations.Migration):
        operations = [
            migrations.AddField("priorityrequest", "x", models.IntegerField(default=0)),
            migrations.AddIndex("priorityrequest", models.Index(fields=["x"], name="x_idx")),
        ]

    risky = Risky("0099_risky", "requests_app")
    assert unsafe_operations(risky) == [
        "AddField x NOT NULL without db_default",
        "AddIndex",
    ]
    risky.unsafe_reviewed = "a table of ten rows"
    assert unsafe_operations(risky) == []


@pytest.mark.django_db(transaction=True)
def test_migrate_gives_up_on_a_held_lock_instead_of_stalling(postgres, monkeypatch):
    """Another session holds a lock `migrate` needs: migrate fails after the lock timeout."""
    monkeypatch.setenv("SOSA_MIGRATION_LOCK_TIMEOUT", "300ms")
    settings = connection.settings_dict
    holder = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    try:
        with holder.cursor() as cursor:  # as a long transaction of the running portal would
            cursor.execute("LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE")
        outcome: list[BaseException | None] = []

        def run() -> None:
            try:
                call_command("migrate", verbosity=0)  # nothing to apply: it still reads the table
                outcome.append(None)
            except BaseException as error:
                outcome.append(error)
            finally:
                connection.close()

        worker = threading.Thread(target=run)
        worker.start()
        worker.join(30)
        assert not worker.is_alive(), "migrate waited on the lock"
    finally:
        holder.rollback()
        holder.close()
    assert outcome and outcome[0] is not None
    assert "lock timeout" in str(outcome[0])
    with connection.cursor() as cursor:  # and the timeout is not left on the connection
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == "0"
