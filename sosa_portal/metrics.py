"""`/metrics` in the Prometheus text format (issue 18 point 1), for the addresses in
SOSA_METRICS_ALLOWED_NETWORKS (loopback by default) or a bearer SOSA_METRICS_TOKEN.

Two kinds of figures:
- this host's processes, counted as things happen (`sosa_portal.lib.metrics`): requests by
  route and status with their latency (`MetricsMiddleware`), actions, sign-ins, Celery tasks,
  sweeps. Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes every worker process's counts add up;
- the whole service's, read from the database's indexed columns when scraped (kept
  SOSA_METRICS_CACHE_SECONDS): open clocks by stage, route and level, overdue and escalated
  requests, the outbox's depth and the age of its oldest row. They carry `scope="global"`:
  every web host reports the same value, so a dashboard takes `max`, never `sum`.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

import structlog
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from partners.accounts.audit import client_address
from requests_app.models import Clock, Notification, PriorityRequest, WebhookDelivery
from requests_app.queries.dues import ESCALATED_Q
from sosa_portal.lib import metrics

GLOBAL = {"scope": "global"}


class DatabaseCollector(Collector):
    """The service's state, read from the database at scrape time (kept briefly)."""

    def collect(self):
        figures = cache.get("metrics:database")
        if figures is None:
            figures = database_figures()
            cache.set("metrics:database", figures, cache_seconds())
        clocks = GaugeMetricFamily(
            "sosa_open_clocks",
            "Running stage clocks, by stage, route and escalation level (0: none yet).",
            labels=["stage", "route", "level", "scope"],
        )
        for stage, route, level, count in figures["clocks"]:
            clocks.add_metric([stage, route, str(level), "global"], count)
        yield clocks
        for name, text in (
            ("overdue", "Open requests past their due time."),
            ("escalated", "Open requests escalated (to the second level, or ever escalated)."),
        ):
            gauge = GaugeMetricFamily(f"sosa_{name}_requests", text, labels=["scope"])
            gauge.add_metric(["global"], figures[name])
            yield gauge
        depth = GaugeMetricFamily(
            "sosa_outbox_depth",
            "Notices and webhook deliveries still to go out (retries included).",
            labels=["channel", "scope"],
        )
        age = GaugeMetricFamily(
            "sosa_outbox_oldest_age_seconds",
            "Age of the oldest notice or webhook delivery still to go out (0: none waits).",
            labels=["channel", "scope"],
        )
        for channel, (count, oldest) in figures["outbox"].items():
            depth.add_metric([channel, "global"], count)
            age.add_metric([channel, "global"], oldest)
        yield depth
        yield age


def cache_seconds() -> int:
    return int(getattr(settings, "SOSA_METRICS_CACHE_SECONDS", 15))


def database_figures() -> dict:
    now = timezone.now()
    clocks = (
        Clock.objects.filter(stopped_at__isnull=True)
        .values("stage", route=F("request__route"), rung=Coalesce("level", 0))
        .annotate(count=Count("id"))
        .order_by("stage", "route", "rung")
    )
    open_requests = PriorityRequest.objects.exclude(state__in=["draft", "resolved"])
    counts = open_requests.aggregate(
        overdue=Count("id", filter=Q(due_at__lt=now)),
        escalated=Count("id", filter=ESCALATED_Q),
    )
    outbox = {}
    for channel, rows in (
        ("notice", Notification.objects.filter(sent_at__isnull=True, failed_at__isnull=True)),
        (
            "webhook",
            WebhookDelivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True),
        ),
    ):
        waiting = rows.exclude(
            **({"held_for_digest_at__isnull": False} if channel == "notice" else {})
        )
        oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
        outbox[channel] = (
            waiting.count(),
            max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        )
    return {
        "clocks": [(row["stage"], row["route"], row["rung"], row["count"]) for row in clocks],
        "overdue": counts["overdue"],
        "escalated": counts["escalated"],
        "outbox": outbox,
    }


_DATABASE = DatabaseCollector()


def registry() -> CollectorRegistry:
    """What one scrape reads: every process of this host (multiprocess mode) or this process,
    and the database's figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        found = CollectorRegistry()
        MultiProcessCollector(found)
    else:
        found = REGISTRY
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_Combined(found))
    scrape.register(_DATABASE)
    return scrape


class _Combined(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> list[Metric]:
        return list(self.source.collect())


def may_scrape(request) -> bool:
    token = getattr(settings, "SOSA_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_address(request)
    if not address:
        return False
    networks = getattr(settings, "SOSA_METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)


@never_cache
def metrics_view(request):
    """The metrics, or the same 404 as any unknown address for everyone else."""
    if not may_scrape(request):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Counts each request by its route pattern (never the raw path: references and ids would
    make a series per request), method and status, with its latency."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "(unmatched)"
        if route != "metrics":
            metrics.HTTP_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
            metrics.HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


# --- counted where it happens, by signal ------------------------------------------------------


sign_ins = structlog.get_logger("sosa.sign_in")  # docs/ops/logging.md


def _signed_in(sender, request=None, user=None, **kwargs) -> None:
    metrics.SIGN_INS.labels("success").inc()
    sign_ins.info("sign_in.success", actor=user.get_username() if user else None)


def _sign_in_failed(sender, credentials=None, request=None, **kwargs) -> None:
    # No user name: a password typed into the name field would be logged.
    metrics.SIGN_INS.labels("failure").inc()
    sign_ins.info("sign_in.failure", address=client_address(request))


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    metrics.SIGN_INS.labels("locked_out").inc()
    sign_ins.warning("sign_in.locked_out", address=client_address(request))


def connect() -> None:
    """Connect the sign-in receivers (sosa_portal/urls.py; Celery tasks count themselves:
    `sosa_portal.lib.metrics`)."""
    from axes.signals import user_locked_out

    user_logged_in.connect(_signed_in, dispatch_uid="metrics-signed-in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="metrics-sign-in-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="metrics-locked-out")
