"""No Docker engine runs here: check what the compose file and Dockerfile declare."""

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
    import subprocess

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
