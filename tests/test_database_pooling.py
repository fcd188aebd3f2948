"""Behind PgBouncer in transaction mode (docs/ops/deploy.md): DISABLE_SERVER_SIDE_CURSORS=1
reaches DATABASES, and then `.iterator()` keeps no cursor open on the server between fetches
(a named cursor would live on one server connection while PgBouncer hands the next statement
to another)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import json, django
django.setup()
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps([database["ENGINE"], database["DISABLE_SERVER_SIDE_CURSORS"]]))
"""


def database_settings(**env: str) -> list:
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "sosa_portal.settings"}
    full.pop("DISABLE_SERVER_SIDE_CURSORS", None)
    # Parsed, never connected to: PgBouncer's usual port.
    full.update(DATABASE_URL="postgres://sosa:secret@pgbouncer:6432/sosa", **env)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=full, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_setting_reaches_the_database_configuration():
    engine = "django.db.backends.postgresql"
    assert database_settings(DISABLE_SERVER_SIDE_CURSORS="1") == [engine, True]
    assert database_settings(DISABLE_SERVER_SIDE_CURSORS="0") == [engine, False]
    assert database_settings() == [engine, False]  # a direct connection keeps them


def open_server_cursors_while_iterating() -> list[str]:
    users = get_user_model().objects.order_by("pk").iterator(chunk_size=1)
    with transaction.atomic():
        next(users)  # the first row fetched, the rest still to come
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_cursors")
            names = [row[0] for row in cursor.fetchall()]
        users.close()
    return names


@pytest.mark.django_db
def test_iterating_opens_no_server_side_cursor_once_they_are_disabled(
    postgres, people, monkeypatch
):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", False)
    named = open_server_cursors_while_iterating()
    assert len(named) == 1 and named[0].startswith("_django_curs_")

    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    assert open_server_cursors_while_iterating() == []
