"""`/metrics` (issue 18 point 1): Prometheus text for the allowed addresses or the token only,
and the numbers move by what happened — requests by route and status, actions by outcome,
sign-ins, the sweep, open clocks, overdue requests and the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client.parser import text_string_to_metric_families

from requests_app import services, tasks
from requests_app.exceptions import StaleVersion
from requests_app.models import Clock, PriorityRequest
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_figures(settings):
    settings.SOSA_METRICS_CACHE_SECONDS = 0  # the database's figures read on every scrape


def scrape(client, **headers) -> dict[tuple, float]:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples: dict[tuple, float] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_only_the_allowed_addresses_or_the_token_may_read_it(client, settings):
    settings.SOSA_METRICS_ALLOWED_NETWORKS = ["10.9.0.0/16"]
    settings.SOSA_METRICS_TOKEN = "s3cret-scraper-token"

    assert client.get("/metrics", REMOTE_ADDR="10.9.1.2").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token"
    )
    assert right.status_code == 200
    assert b"sosa_open_clocks" in right.content


def test_the_numbers_move_by_what_happened(
    client, people, make_request, django_capture_on_commit_callbacks
):
    before = scrape(client)
    request = make_request("submitted")
    late = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # years late: straight to the second level

    with django_capture_on_commit_callbacks(execute=True):
        services.triage(request, by=people.liaison_us, assignee=people.reviewer_us)
    with pytest.raises(StaleVersion):
        services.triage(request, by=people.liaison_us, assignee=people.reviewer_us, version=1)
    client.post("/accounts/login/", {"username": "liaison.us", "password": "wrong"})
    sign_in(client, people.requester_in)
    assert client.get(f"/requests/{request.reference}/").status_code == 200
    assert client.get("/requests/NO-SUCH-1/").status_code == 404
    in_review = Clock.objects.get(request=request, stopped_at__isnull=True)
    Clock.objects.filter(pk=in_review.pk).update(due_at=late, next_escalation_at=late)
    PriorityRequest.objects.filter(pk=request.pk).update(due_at=late)  # the row follows its clock
    tasks.sweep_deadlines()

    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("sosa_actions_total", action="triage", outcome="done") == 1
    assert moved("sosa_actions_total", action="triage", outcome="stale_version") == 1
    assert moved("sosa_sign_ins_total", outcome="failure") == 1
    route = "requests/<str:reference>/"
    assert moved("sosa_http_requests_total", route=route, method="GET", status="200") == 1
    assert moved("sosa_http_requests_total", route=route, method="GET", status="404") == 1
    assert moved("sosa_http_request_duration_seconds_count", route=route) == 2
    assert moved("sosa_sweep_duration_seconds_count") == 1
    assert moved("sosa_sweep_clocks_escalated_total") == 1
    assert value(after, "sosa_overdue_requests", scope="global") == 1
    assert value(after, "sosa_escalated_requests", scope="global") == 1
    open_clocks = {
        labels: count for (name, labels), count in after.items() if name == "sosa_open_clocks"
    }
    assert open_clocks == {
        (("level", "2"), ("route", "dpas"), ("scope", "global"), ("stage", "determination")): 1
    }
    assert value(after, "sosa_outbox_depth", channel="notice", scope="global") >= 1
    assert value(after, "sosa_outbox_oldest_age_seconds", channel="notice", scope="global") >= 0


@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_every_worker_process_counts_in_one_scrape(postgres, tmp_path):
    """Two gunicorn worker processes answer 80 requests between them; every scrape, whichever
    process answers it, reports all 80 (PROMETHEUS_MULTIPROC_DIR, sosa_portal/gunicorn.py)."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    from prometheus_client.parser import text_string_to_metric_families as parse

    from tests.processes import shared_database_url, web_server

    folder = tmp_path / "metrics"
    with web_server(
        shared_database_url(),
        tmp_path / "web.log",
        extra_env={"PROMETHEUS_MULTIPROC_DIR": str(folder)},
        args=["--config", "python:sosa_portal.gunicorn"],
    ) as base:
        with ThreadPoolExecutor(16) as pool:  # at once: both processes take some
            list(
                pool.map(
                    lambda _: urllib.request.urlopen(f"{base}/healthz/live", timeout=10).read(),
                    range(80),
                )
            )
        pids = {path.name.split("_")[-1] for path in folder.glob("counter_*.db")}
        seen = []
        for _ in range(6):
            text = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()
            seen.append(
                sum(
                    sample.value
                    for family in parse(text)
                    for sample in family.samples
                    if sample.name == "sosa_http_requests_total"
                    and sample.labels.get("route") == "healthz/live"
                )
            )
    assert len(pids) == 2  # both worker processes wrote their counts
    assert seen == [80.0] * 6
