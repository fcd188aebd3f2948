"""Real processes for tests: a Celery worker subprocess and a private redis-server."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def shared_database_url() -> str:
    """The URL of the database this test runs on, for a subprocess to share it."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@contextlib.contextmanager
def celery_worker(
    *, broker_url: str, queue: str, mail_dir: Path, log: Path, name: str = "", **env_extra
):
    """A `celery worker` subprocess on `queue`, writing e-mail files into `mail_dir`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sosa_portal.settings",
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": broker_url,
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SOSA_OUTBOX_GRACE_SECONDS": "0",
        "CONN_MAX_AGE": "0",
        **env_extra,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sosa_portal",
        "worker",
        "-Q",
        f"{queue},{queue}-webhooks",  # notices and, on their own queue, webhook deliveries
        "--pool",
        "solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        "INFO",
        "-n",
        f"{name or 'test-' + queue}@%h",
    ]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        if not wait_for(lambda: b"ready" in log.read_bytes() or process.poll() is not None, 60):
            raise RuntimeError(f"worker did not start:\n{log.read_text()[-3000:]}")
        if process.poll() is not None:
            raise RuntimeError(f"worker exited:\n{log.read_text()[-3000:]}")
        yield process
    finally:
        kill(process)


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)


@contextlib.contextmanager
def redis_server(exe: str, port: int, folder: Path):
    """A private redis-server; `stop()` and `start()` it to simulate an outage."""
    server = RedisServer(exe, port, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class RedisServer:
    def __init__(self, exe: str, port: int, folder: Path):
        self.exe, self.port, self.folder = exe, port, folder

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except Exception:
            return False

    def start(self) -> None:
        subprocess.run(
            [
                self.exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--pidfile",
                str(self.folder / "redis.pid"),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            check=True,
        )
        if not wait_for(self.ping, 10):
            raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        import redis

        with contextlib.suppress(Exception):
            redis.Redis(port=self.port, socket_timeout=1).shutdown(nosave=True)
        wait_for(lambda: not self.ping(), 10)


def sent_mails(mail_dir: Path) -> list[str]:
    """Subjects of every message the file backend wrote (one per message, duplicates kept)."""
    subjects: list[str] = []
    if not mail_dir.exists():
        return subjects
    for path in sorted(mail_dir.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Subject: "):
                subjects.append(line.removeprefix("Subject: "))
    return subjects


def sent_message_ids(mail_dir: Path) -> list[str]:
    """The Message-ID of every message the file backend wrote (duplicates kept)."""
    ids: list[str] = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Message-ID: "):
                ids.append(line.removeprefix("Message-ID: "))
    return ids


def demo_database(tmp_path: Path, username: str) -> tuple[str, str]:
    """A SQLite file migrated and seeded as `make run` does, and a day's API key of
    `username`: (DATABASE_URL, key)."""
    database_url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url, "SOSA_QUIET_SEED": "1"}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    for step in (["migrate", "-v0"], ["seed_demo"]):
        subprocess.run([*manage, *step], cwd=ROOT, env=env, check=True, capture_output=True)
    key = subprocess.run(
        [*manage, "issue_token", username, "--days", "1"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    return database_url, key


@contextlib.contextmanager
def web_server(database_url: str, log: Path, *, extra_env: dict | None = None, args=()):
    """gunicorn, 2 processes × 4 threads, on a free port of 127.0.0.1: its base URL."""
    with web_host(database_url, log, extra_env=extra_env, args=args) as (base, _process):
        yield base


@contextlib.contextmanager
def web_host(
    database_url: str,
    log: Path,
    *,
    broker_url: str | None = None,
    extra_env: dict | None = None,
    args=(),
):
    """One web host: gunicorn (2 processes × 4 threads) on a free port of 127.0.0.1, queueing
    its tasks on `broker_url` (default: the embedded broker). Yields (base URL, the master
    process: `kill` it to lose the host)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",  # the demo's settings (`make run` itself runs with DEBUG=0, SOSA_DEMO=1)
        "API_RATE": "100000/min",
        "SOSA_PAGES_PER_MINUTE": "0",  # the tests' scripted readers are not people
        "CONN_MAX_AGE": "0",
        **(extra_env or {}),
    }
    env.pop("REDIS_URL", None)  # the embedded default: no broker server needed
    if broker_url:
        env["REDIS_URL"] = broker_url
    command = [sys.executable, "-m", "gunicorn", "sosa_portal.wsgi", "--workers", "2"]
    command += ["--threads", "4", "--bind", f"127.0.0.1:{port}", "--timeout", "60"]
    # As docker-compose.yml: a long query string reaches Django and gets its JSON 400.
    command += ["--limit-request-line", "8190", *args]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for(lambda: _answers(base) or process.poll() is not None, 60):
            raise RuntimeError(f"web server did not start:\n{log.read_text()[-3000:]}")
        yield base, process
    finally:
        kill(process)


@contextlib.contextmanager
def celery_beat(*, broker_url: str, queue: str, schedule: Path, log: Path, **env_extra):
    """A `celery beat` subprocess sending the periodic tasks to `queue`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sosa_portal.settings",
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": broker_url,
        "CELERY_QUEUE": queue,
        **env_extra,
    }
    command = [sys.executable, "-m", "celery", "-A", "sosa_portal", "beat"]
    command += ["--schedule", str(schedule), "--loglevel", "INFO"]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        if not wait_for(
            lambda: b"beat: Starting" in log.read_bytes() or process.poll() is not None, 60
        ):
            raise RuntimeError(f"beat did not start:\n{log.read_text()[-3000:]}")
        if process.poll() is not None:
            raise RuntimeError(f"beat exited:\n{log.read_text()[-3000:]}")
        yield process
    finally:
        kill(process)


def _answers(base: str) -> bool:
    try:
        urllib.request.urlopen(base + "/healthz", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True  # it answers, even if a part of the health check is red
    except OSError:
        return False
