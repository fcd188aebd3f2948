"""No Docker engine runs here: check what the compose file and Dockerfile declare."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_declares_the_production_stack():
    services = compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)


def test_web_runs_gunicorn_and_worker_and_beat_run_celery():
    services = compose()["services"]
    assert services["web"]["command"][0] == "gunicorn"
    assert "sosa_portal.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "sosa_portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "sosa_portal", "beat"]


def test_webhook_deliveries_have_a_worker_pool_of_their_own():
    from sosa_portal.celery import app, route_task

    services = compose()["services"]
    default = app.conf.task_default_queue
    assert route_task("requests_app.tasks.send_webhooks", [], {}, {}) == {
        "queue": f"{default}-webhooks"
    }
    assert route_task("requests_app.tasks.send_notifications", [], {}, {}) is None
    worker, webhooks = services["worker"]["command"], services["webhook-worker"]["command"]
    assert worker[worker.index("-Q") + 1] == "celery"
    assert webhooks[webhooks.index("-Q") + 1] == "celery-webhooks"


def test_app_services_point_at_postgres_and_redis_and_wait_for_them():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["DEBUG"] == "0"
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_each_process_is_checked_at_its_own_tier_of_health():
    services = compose()["services"]
    web = " ".join(services["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz/ready" in web  # not the full /healthz: no restart loop
    # Each worker checks its own heartbeat, under the node name its command gives it.
    worker, webhooks = services["worker"], services["webhook-worker"]
    assert "-n" not in worker["command"]  # celery's default node name: celery@<hostname>
    assert worker["healthcheck"]["test"] == [
        "CMD-SHELL",
        "python manage.py health worker --node celery@$$HOSTNAME",
    ]
    assert webhooks["command"][webhooks["command"].index("-n") + 1] == "webhooks@%h"
    assert webhooks["healthcheck"]["test"][-1].endswith("--node webhooks@$$HOSTNAME")
    assert services["beat"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "manage.py",
        "health",
        "beat",
    ]


def test_dockerfile_installs_the_pinned_requirements_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "gunicorn" in dockerfile
    requirements = (ROOT / "requirements.txt").read_text()
    assert "gunicorn==" in requirements and "psycopg2-binary==" in requirements


def test_make_run_port_reaches_the_web_process_the_mail_links_and_the_banner():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "http://127.0.0.1:8123/" in dry  # the banner
    assert "SOSA_PORT=8123" in dry and "http://127.0.0.1:8123}" in dry  # web and SITE_URL
    web = next(
        line.split(":", 1)[1]
        for line in (ROOT / "Procfile.dev").read_text().splitlines()
        if line.startswith("web:")
    )
    shown = subprocess.run(
        ["sh", "-c", f"echo {web}"],
        env={"SOSA_PORT": "8123", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runserver 127.0.0.1:8123" in shown


def test_web_adds_up_its_worker_processes_metrics():
    web = compose()["services"]["web"]
    assert "--config=python:sosa_portal.gunicorn" in web["command"]
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")  # the map is replaced
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ENV PROMETHEUS_MULTIPROC_DIR=" in dockerfile
    assert '"--config", "python:sosa_portal.gunicorn"' in dockerfile


def test_the_image_runs_as_a_numeric_non_root_user():
    """Numeric, so that Kubernetes' runAsNonRoot can verify it (docs/ops/kubernetes/); the
    build steps before it run as root, nothing after it does."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    users = [(n, line.split()[1]) for n, line in enumerate(lines) if line.startswith("USER ")]
    assert len(users) == 1
    at, user = users[0]
    uid, gid = (int(part) for part in user.split(":"))
    assert uid != 0 and gid != 0
    dockerfile = "\n".join(lines)
    assert re.search(rf"useradd [^\n]*--uid {uid} --gid {gid} ", dockerfile)
    assert re.search(rf"groupadd [^\n]*--gid {gid} ", dockerfile)
    assert not any(line.startswith("RUN ") for line in lines[at:])
    assert "chown -R 10001:10001 /srv/var" in dockerfile  # media, and beat's schedule in compose


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_healthcheck_passes_under_production_allowed_hosts(tmp_path):
    """Django answers 400 to a Host outside ALLOWED_HOSTS: the check asks as the first name in
    it, so web turns healthy with ALLOWED_HOSTS=<the portal's name> (.env.example)."""
    test = compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"] and "127.0.0.1:8000" in test[3]
    port = free_port()
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    env.update(ALLOWED_HOSTS="sosa.example.org,www.sosa.example.org", VAR_DIR=str(tmp_path))
    for name in ("DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)  # SQLite and the filesystem broker: no server needed
    for folder in ("queue", "processed", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True)
    command = [sys.executable, "-m", "gunicorn", "sosa_portal.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no gunicorn"
                time.sleep(0.2)

        def check(code: str) -> int:
            code = code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            return subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode

        assert check(test[3]) == 0
        # The same request without the Host header is refused (HTTP 400): why it is sent.
        bare = "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz/ready')"
        assert check(bare) != 0
    finally:
        server.terminate()
        server.wait(timeout=30)
