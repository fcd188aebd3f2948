"""`make backup` / `make restore` round-trip the demo data and the uploaded files (issue 6 §7).

Each test seeds a scratch database of its own through `manage.py` in a subprocess, backs it up
with bin/backup, changes rows and files, restores with bin/restore and compares snapshots.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import need_service

ROOT = Path(__file__).resolve().parent.parent

# Printed by `manage.py shell`: what must come back exactly as it was at backup time.
SNAPSHOT = """
import json
from django.apps import apps
from partners.models import ApiToken, Closure, Nation
from requests_app.models import Event, PriorityRequest
print(json.dumps({
    "counts": {m._meta.label: m.objects.count() for m in apps.get_models()
               if m._meta.app_label in ("partners", "requests_app", "auth")},
    "nations": sorted(Nation.objects.values_list("code", "name")),
    "closures": sorted(str(c) for c in Closure.objects.values_list("nation__code", "date", "name")),
    "tokens": sorted(ApiToken.objects.values_list("key_hash", flat=True)),
    "requests": sorted(PriorityRequest.objects.values_list("reference", "state", "version")),
    "events": sorted(Event.objects.values_list("id", "request__reference", "action")),
}, default=str))
"""

BEFORE_BACKUP = """
import datetime as dt
from partners.models import Closure, Nation
india = Nation.objects.get(code="IN")
Closure.objects.create(nation=india, date=dt.date(2031, 1, 2), name="Audit day")
"""

AFTER_BACKUP = """
from django.contrib.auth import get_user_model
from partners.models import Closure, Nation
from partners.accounts.tokens import issue_token
Closure.objects.filter(name="Audit day").delete()
Nation.objects.filter(code="IN").update(name="Renamed after the backup")
issue_token(get_user_model().objects.get(username="requester.in"), name="made after the backup")
"""


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def manage(env: dict, *args: str) -> str:
    return run([sys.executable, "manage.py", *args], env)


def snapshot(env: dict, after: str = "") -> dict:
    """Run `after` (changes), then print the snapshot: one interpreter start for both."""
    return json.loads(manage(env, "shell", "-c", after + SNAPSHOT).strip().splitlines()[-1])


def round_trip(env: dict, media: Path) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "po.pdf").write_bytes(b"%PDF-1.4 purchase order")
    before = snapshot(env, after=BEFORE_BACKUP)
    assert before["counts"]["requests_app.PriorityRequest"] > 0
    assert before["counts"]["requests_app.Event"] > 0

    written = run([str(ROOT / "bin" / "backup")], env)
    backup_file = Path(re.search(r"^\s+(\S+\.(?:dump|sqlite3))\s", written, re.M).group(1))
    assert backup_file.with_name(backup_file.name.rsplit(".", 1)[0] + ".media.tar.gz").is_file()

    (media / "attachments" / "po.pdf").unlink()
    (media / "stray.txt").write_text("uploaded after the backup")
    changed = snapshot(env, after=AFTER_BACKUP)
    assert changed["nations"] != before["nations"]
    assert changed["closures"] != before["closures"] and changed["tokens"] != before["tokens"]

    restored = run([str(ROOT / "bin" / "restore"), str(backup_file)], env)
    assert str(backup_file) in restored
    assert snapshot(env) == before
    assert (media / "attachments" / "po.pdf").read_bytes() == b"%PDF-1.4 purchase order"
    assert not (media / "stray.txt").exists()


def scratch_env(tmp_path: Path, database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DEBUG="1",
        PYTHON=sys.executable,
    )
    env.pop("REDIS_URL", None)  # nothing here needs the broker
    return env


def test_sqlite_backup_and_restore_round_trip_the_demo_data(tmp_path):
    env = scratch_env(tmp_path, f"sqlite:///{tmp_path / 'scratch.sqlite3'}")
    round_trip(env, tmp_path / "media")


@pytest.mark.django_db
def test_postgres_backup_and_restore_round_trip_the_demo_data(tmp_path):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    import psycopg2
    from psycopg2 import sql

    params = connection.settings_dict
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
    }
    name = f"sosa_backup_test_{secrets.token_hex(4)}"
    admin = psycopg2.connect(**server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        password = f":{server['password']}" if server["password"] else ""
        url = f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
        round_trip(scratch_env(tmp_path, url), tmp_path / "media")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()
