"""`manage.py migrate`, Django's, with PostgreSQL's lock timeout for the run (issue 18 point 6):
a migration that needs a lock the running portal holds gives up after
SOSA_MIGRATION_LOCK_TIMEOUT (default 5s) instead of queueing every request behind it — try
again later; it never stalls the live service. SOSA_MIGRATION_STATEMENT_TIMEOUT (default 0,
none) caps each statement. Both are reset when the run ends. Which operations a new migration
may use on a live database is checked by tests/domain/test_migration_safety.py."""

from __future__ import annotations

import os

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " On PostgreSQL, with a lock timeout (SOSA_MIGRATION_LOCK_TIMEOUT)."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        lock = os.environ.get("SOSA_MIGRATION_LOCK_TIMEOUT", "5s")
        statement = os.environ.get("SOSA_MIGRATION_STATEMENT_TIMEOUT", "0")
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", [lock])
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [statement])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
                cursor.execute("RESET statement_timeout")
