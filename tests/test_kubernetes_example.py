"""The Kubernetes example (docs/ops/kubernetes/, docs/ops/deploy.md) holds what an operator
relies on. No cluster here: the manifests are parsed with PyYAML and each claim is checked
against the app itself — the probes' URLs answer, the exec probes' commands run, the names in
the environment are settings the app reads, and the security context matches the Dockerfile."""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest
import yaml
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.urls import resolve

from requests_app.models import Heartbeat
from requests_app.models.heartbeats import BEAT, WORKER
from sosa_portal import health
from sosa_portal.celery import app as celery_app
from sosa_portal.celery import webhook_queue

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "docs" / "ops" / "kubernetes"
POD = "sosa-worker-7d9f8-x2x4q"  # a pod's name: its HOSTNAME, and celery's %h


def documents() -> list[dict]:
    found = []
    for path in sorted(K8S.glob("*.yaml")):
        found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def kind(name: str) -> list[dict]:
    return [doc for doc in documents() if doc["kind"] == name]


def named(kind_name: str, name: str) -> dict:
    return next(doc for doc in kind(kind_name) if doc["metadata"]["name"] == name)


def workloads() -> list[dict]:
    return kind("Deployment") + kind("Job")


def containers(workload: dict) -> list[dict]:
    return workload["spec"]["template"]["spec"]["containers"]


def probes(container: dict) -> list[dict]:
    return [
        container[key]
        for key in ("readinessProbe", "livenessProbe", "startupProbe")
        if key in container
    ]


def selects(selector: dict, workload: dict) -> bool:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return selector.items() <= labels.items()


def env_names_the_app_reads() -> set[str]:
    """Every name the project's code reads from the environment, and DATABASE_URL, which
    dj_database_url.config() reads for settings.py."""
    reads = re.compile(
        r'(?:environ\.get\(|environ\[|getenv\(|env_bool\(|env_list\(|env_map\()\s*"([A-Z][A-Z0-9_]*)"'
    )
    names = set()
    for package in ("sosa_portal", "partners", "requests_app"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(reads.findall(path.read_text()))
    names.add(dj_database_url.DEFAULT_ENV)
    return names


def test_the_kustomization_applies_every_manifest_but_the_secrets_and_the_migration():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    # Applied on their own: the Secrets are made from the secret store, the Job runs first.
    assert listed == on_disk - {"secret.example.yaml", "migrate-job.yaml"}
    images = {c["image"] for workload in workloads() for c in containers(workload)}
    assert len(images) == 1  # one image: web, workers, beat and the migration run the same code
    (image,) = images
    assert [entry["name"] for entry in kustomization["images"]] == [image.rsplit(":", 1)[0]]


def test_two_web_pods_two_workers_and_exactly_one_beat():
    assert named("Deployment", "sosa-web")["spec"]["replicas"] == 2
    assert named("Deployment", "sosa-worker")["spec"]["replicas"] == 2
    beat = named("Deployment", "sosa-beat")["spec"]
    assert beat["replicas"] == 1
    # Recreate: the old beat stops before the new one starts, never two schedulers at once.
    assert beat["strategy"] == {"type": "Recreate"}
    # A rolling update of web never goes below two ready pods.
    rolling = named("Deployment", "sosa-web")["spec"]["strategy"]["rollingUpdate"]
    assert rolling["maxUnavailable"] == 0 and rolling["maxSurge"] >= 1


def test_every_queue_the_app_sends_to_has_a_worker_deployment():
    consumed = set()
    for deployment in kind("Deployment"):
        command = containers(deployment)[0]["command"]
        if command[:4] == ["celery", "-A", "sosa_portal", "worker"]:
            consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == {celery_app.conf.task_default_queue, webhook_queue()}


def test_web_runs_the_same_gunicorn_as_docker_compose():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    web = containers(named("Deployment", "sosa-web"))[0]
    assert web["command"] == compose["services"]["web"]["command"]
    bind = next(arg for arg in web["command"] if arg.startswith("--bind="))
    assert int(bind.rsplit(":", 1)[1]) == web["ports"][0]["containerPort"]


def test_every_http_probe_is_a_health_url_of_the_app_on_a_declared_port():
    views = {"/healthz/live": health.live, "/healthz/ready": health.ready}
    seen = {}
    for workload in workloads():
        for container in containers(workload):
            ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
            for probe in probes(container):
                if "httpGet" not in probe:
                    continue
                get = probe["httpGet"]
                assert get["port"] in ports or get["port"] in ports.values()
                assert resolve(get["path"]).func is views[get["path"]]
                seen[(container["name"], get["path"])] = probe
    web = containers(named("Deployment", "sosa-web"))[0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz/ready"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    assert set(seen) == {("web", "/healthz/ready"), ("web", "/healthz/live")}


PROBE = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)  # /metrics reads the database
print(json.dumps({host: [Client(HTTP_HOST=host).get(path).status_code for path in PATHS]
                  for host in HOSTS}))
"""


def test_the_probes_answer_as_the_kubelet_asks_with_the_configmaps_settings(tmp_path):
    """With DEBUG=0 and ALLOWED_HOSTS from the ConfigMap, a probe sent with the pod's IP as
    Host gets Django's 400: the manifests name the portal in a Host header, and with it the
    probes, and a scrape of /metrics from an allowed address, get 200 over plain HTTP (no
    redirect to HTTPS)."""
    web = containers(named("Deployment", "sosa-web"))[0]
    config = named("ConfigMap", "sosa-portal-config")["data"]
    paths = [web["livenessProbe"]["httpGet"]["path"], web["readinessProbe"]["httpGet"]["path"]]
    paths.append("/metrics")  # Prometheus scrapes the pods over plain HTTP too (metrics.md)
    hosts = {
        header["value"]
        for probe in (web["livenessProbe"], web["readinessProbe"])
        for header in probe["httpGet"]["httpHeaders"]
        if header["name"] == "Host"
    }
    assert len(hosts) == 1
    (host,) = hosts
    assert host in config["ALLOWED_HOSTS"].split(",")
    env = {**os.environ, **config, "SECRET_KEY": secrets.token_urlsafe(50)}
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="sosa_portal.settings")
    for name in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"):
        env.pop(name, None)  # SQLite and the filesystem broker in tmp_path: no server needed
    for folder in ("queue", "processed", "control"):
        (tmp_path / "broker" / folder).mkdir(parents=True)
    script = f"PATHS = {paths!r}\nHOSTS = {[host, '10.1.2.3:8000']!r}\n" + PROBE
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert answers[host] == [200, 200, 200]  # no 301 to HTTPS
    assert answers["10.1.2.3:8000"] == [400, 400, 400]  # why the Host header is there


def exec_probe_args(probe: dict, hostname: str) -> list[str]:
    """The manage.py arguments of an exec probe, $HOSTNAME expanded as the pod's shell would."""
    command = probe["exec"]["command"]
    if command[:2] == ["sh", "-c"]:
        command = shlex.split(command[2].replace("$HOSTNAME", hostname))
        command = command[1:] if command[0] == "exec" else command
    assert command[:2] == ["python", "manage.py"], command
    return command[2:]


def worker_node(command: list[str], hostname: str) -> str:
    """The node name celery gives this worker: -n's, else celery@%h."""
    name = command[command.index("-n") + 1] if "-n" in command else "celery@%h"
    return name.replace("%h", hostname)


@pytest.mark.django_db
def test_each_workers_liveness_command_runs_and_checks_that_workers_own_heartbeat():
    for name in ("sosa-worker", "sosa-webhook-worker"):
        container = containers(named("Deployment", name))[0]
        args = exec_probe_args(container["livenessProbe"], POD)
        assert args[0] in get_commands()
        with pytest.raises(CommandError, match="unhealthy: worker"):
            call_command(*args)  # this worker has not reported: the probe fails
        queues = container["command"][container["command"].index("-Q") + 1].split(",")
        # The heartbeat the worker writes under its node name (requests_app/tasks.py).
        Heartbeat.objects.record(worker_node(container["command"], POD), kind=WORKER, queues=queues)
        call_command(*args)  # and now it passes
    # Both pools reporting is what the full /healthz calls "a worker on each queue".
    assert health.checks_for("full")["worker"]["ok"] is True


@pytest.mark.django_db
def test_beats_liveness_command_checks_the_last_sweep():
    beat = named("Deployment", "sosa-beat")
    (container,) = containers(beat)
    args = exec_probe_args(container["livenessProbe"], "sosa-beat-5c6d7-abcde")
    assert args == ["health", "beat"]
    with pytest.raises(CommandError, match="unhealthy: beat"):
        call_command(*args)
    Heartbeat.objects.record(BEAT, kind=BEAT)  # what the sweep beat schedules writes
    call_command(*args)
    # Its grace before the first check outlasts the sweep's schedule and the check's limit.
    assert container["livenessProbe"]["initialDelaySeconds"] >= health.DEFAULT_LIMITS["BEAT"]


def test_the_migration_job_runs_the_portals_migrate_straight_to_postgresql():
    job = named("Job", "sosa-migrate")
    (container,) = containers(job)
    assert container["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert get_commands()["migrate"] == "requests_app"  # the one with the lock timeout
    env = {item["name"]: item for item in container["env"]}
    assert env["SOSA_MIGRATION_LOCK_TIMEOUT"]["value"]
    # DATABASE_URL from the Secret for migrations, not the PgBouncer one of the app's Secret.
    ref = env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    migrate_secret = named("Secret", ref["name"])
    assert ref["name"] != "sosa-portal-secrets"
    assert ":5432/" in migrate_secret["stringData"][ref["key"]]
    assert ":6432/" in named("Secret", "sosa-portal-secrets")["stringData"]["DATABASE_URL"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1  # a lock timeout: tried again


def test_the_disruption_budget_keeps_a_web_pod_and_selects_nothing_else():
    budget = named("PodDisruptionBudget", "sosa-web")
    selector = budget["spec"]["selector"]["matchLabels"]
    web = named("Deployment", "sosa-web")
    assert selects(selector, web)
    assert selector == web["spec"]["selector"]["matchLabels"]
    assert [w["metadata"]["name"] for w in workloads() if selects(selector, w)] == ["sosa-web"]
    assert 1 <= budget["spec"]["minAvailable"] < web["spec"]["replicas"]  # drains can proceed
    for budget in kind("PodDisruptionBudget"):
        chosen = [w for w in workloads() if selects(budget["spec"]["selector"]["matchLabels"], w)]
        assert len(chosen) == 1 and budget["spec"]["minAvailable"] < chosen[0]["spec"]["replicas"]


def test_the_service_sends_traffic_to_the_web_pods_port():
    (service,) = kind("Service")
    chosen = [w for w in workloads() if selects(service["spec"]["selector"], w)]
    assert [w["metadata"]["name"] for w in chosen] == ["sosa-web"]
    ports = {p["name"] for p in containers(chosen[0])[0]["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


def dockerfile_user() -> tuple[int, int]:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (user,) = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    uid, gid = user.split(":")
    return int(uid), int(gid)


def test_every_pod_runs_as_the_images_non_root_user_without_privileges():
    uid, gid = dockerfile_user()
    assert uid != 0 and gid != 0
    for workload in workloads():
        pod = workload["spec"]["template"]["spec"]
        context = pod["securityContext"]
        assert context["runAsNonRoot"] is True, workload["metadata"]["name"]
        assert (context["runAsUser"], context["runAsGroup"]) == (uid, gid)
        for container in pod["containers"]:
            own = container["securityContext"]
            assert own["allowPrivilegeEscalation"] is False
            assert own["capabilities"]["drop"] == ["ALL"]
            assert own["readOnlyRootFilesystem"] is True
            # With a read-only root: /tmp is a scratch volume (uploads, metrics, the schedule).
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            volumes = {v["name"]: v for v in pod.get("volumes", [])}
            assert "emptyDir" in volumes[mounts["/tmp"]]
            assert set(mounts.values()) <= set(volumes)


def test_what_the_processes_write_goes_to_a_writable_volume():
    web = named("Deployment", "sosa-web")
    container = containers(web)[0]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in web["spec"]["template"]["spec"]["volumes"]}
    media_root = named("ConfigMap", "sosa-portal-config")["data"]["MEDIA_ROOT"]
    claim = volumes[mounts[media_root]]["persistentVolumeClaim"]["claimName"]
    # Two web pods on any nodes share the uploads.
    assert named("PersistentVolumeClaim", claim)["spec"]["accessModes"] == ["ReadWriteMany"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    assert env["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    beat = containers(named("Deployment", "sosa-beat"))[0]["command"]
    assert next(arg for arg in beat if arg.startswith("--schedule=")).startswith("--schedule=/tmp/")


def test_every_name_in_the_environment_is_a_setting_the_app_reads():
    reads = env_names_the_app_reads()
    config_maps = {doc["metadata"]["name"]: set(doc["data"]) for doc in kind("ConfigMap")}
    secrets_ = {doc["metadata"]["name"]: set(doc["stringData"]) for doc in kind("Secret")}
    used: set[str] = set()
    for workload in workloads():
        for container in containers(workload):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    used |= config_maps[source["configMapRef"]["name"]]
                else:
                    used |= secrets_[source["secretRef"]["name"]]
            for item in container.get("env", []):
                used.add(item["name"])
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["key"] in secrets_[ref["name"]]
    guide = (ROOT / "docs" / "ops" / "deploy.md").read_text()
    literals = set(re.findall(r"--from-literal=([A-Z][A-Z0-9_]*)=", guide))
    assert literals == secrets_["sosa-portal-secrets"]  # the guide makes the Secret the pods read
    assert used | literals <= reads, sorted((used | literals) - reads)
    assert {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "DISABLE_SERVER_SIDE_CURSORS"} <= used
