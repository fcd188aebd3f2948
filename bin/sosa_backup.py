"""Back up and restore the database and the uploaded files (`make backup`, `make restore`).

PostgreSQL (DATABASE_URL=postgres://…): `pg_dump --format=custom` to var/backups/sosa-<time>.dump,
restored with `pg_restore --clean --if-exists --no-owner` in one transaction. SQLite: a consistent
copy through SQLite's online backup API to sosa-<time>.sqlite3, restored the same way in reverse.
The files under MEDIA_ROOT go to sosa-<time>.media.tar.gz beside the database file.

Reads DATABASE_URL, MEDIA_ROOT, VAR_DIR through sosa_portal.settings; BACKUP_DIR overrides the
folder. Run as `bin/backup` and `bin/restore FILE`.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDIA_SUFFIX = ".media.tar.gz"


def load_settings():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")
    from django.conf import settings

    return settings


def is_postgres(database: dict) -> bool:
    return "postgresql" in database["ENGINE"]


def pg_env(database: dict) -> dict[str, str]:
    """libpq reads these; the password never appears on a command line."""
    env = dict(os.environ)
    for key, name in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")]:
        if database.get(key):
            env[name] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def media_archive_for(database_file: Path) -> Path:
    stem = database_file.name.rsplit(".", 1)[0]
    return database_file.with_name(stem + MEDIA_SUFFIX)


def backup() -> list[Path]:
    settings = load_settings()
    database = settings.DATABASES["default"]
    folder = Path(os.environ.get("BACKUP_DIR") or settings.VAR / "backups")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%SZ")
    suffix = ".dump" if is_postgres(database) else ".sqlite3"
    target, n = folder / f"sosa-{stamp}{suffix}", 1
    while target.exists():  # two backups in one second
        n += 1
        target = folder / f"sosa-{stamp}-{n}{suffix}"
    if is_postgres(database):
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={target}", database["NAME"]],
            env=pg_env(database),
            check=True,
        )
    else:
        if not Path(database["NAME"]).is_file():
            raise SystemExit(f"No SQLite database at {database['NAME']}")
        source = sqlite3.connect(database["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # a consistent snapshot even while the portal writes
        copy.close()
        source.close()
    archive = media_archive_for(target)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive, "w:gz") as tar:
        if media.is_dir():
            tar.add(media, arcname="media")
    return [target, archive]


def restore(database_file: Path) -> list[Path]:
    settings = load_settings()
    database = settings.DATABASES["default"]
    if not database_file.is_file():
        raise SystemExit(f"No such backup: {database_file}")
    if is_postgres(database):
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={database['NAME']}",
                str(database_file),
            ],
            env=pg_env(database),
            check=True,
        )
    else:
        copy = sqlite3.connect(database_file)
        live = sqlite3.connect(database["NAME"])
        with live:
            copy.backup(live)  # the backup API in reverse: safe with a journal or WAL beside it
        live.close()
        copy.close()
    restored = [database_file]
    archive = media_archive_for(database_file)
    if archive.is_file():
        restore_media(archive, Path(settings.MEDIA_ROOT))
        restored.append(archive)
    return restored


def restore_media(archive: Path, media: Path) -> None:
    """Unpack beside MEDIA_ROOT, then swap, so a failed unpack leaves the old files in place."""
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media.parent, prefix=".restore-") as scratch:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(scratch, filter="data")  # refuses absolute paths and ../
        unpacked = Path(scratch) / "media"
        unpacked.mkdir(exist_ok=True)
        old = Path(scratch) / "old"
        if media.exists():
            media.rename(old)
        unpacked.rename(media)
        shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["backup"] and len(argv) == 1:
        written = backup()
        print("Backup written:")
    elif argv[:1] == ["restore"] and len(argv) == 2:
        written = restore(Path(argv[1]))
        print("Restored from:")
    else:
        print("usage: bin/backup | bin/restore FILE", file=sys.stderr)
        return 2
    for path in written:
        print(f"  {path}  ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
