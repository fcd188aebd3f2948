"""Account audit: who signed in, failed, signed out, enrolled 2FA, made or revoked a token.

Entries are `AuditEntry` rows (append-only). The staff CSV export (`/audit/export.csv`) joins,
in time order, this trail and the trails other apps add with `add_trail` from their
`AppConfig.ready` (requests_app adds its request events), so partners knows nothing of them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import ipaddress
import json
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import Http404, HttpResponseBadRequest
from django.utils import timezone
from django.utils.dateparse import parse_date

from sosa_portal.lib import safe_csv
from sosa_portal.lib.dates import out_of_range

from ..models import AuditEntry, AuditKind

USER_AGENT_MAX = 255


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address: REMOTE_ADDR, or behind a trusted proxy
    (SOSA_TRUST_X_FORWARDED_FOR) the last X-Forwarded-For hop, the one our proxy saw."""
    if request is None:
        return None
    meta = request.META
    if getattr(settings, "SOSA_TRUST_X_FORWARDED_FOR", False):
        hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops and (address := _valid_ip(hops[-1])):
            return address
    return _valid_ip(meta.get("REMOTE_ADDR", ""))


def record(
    kind: str,
    *,
    request=None,
    actor=None,
    username: str = "",
    user_agent: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one audit entry; address and user agent come from `request` when there is one."""
    if user_agent is None:
        user_agent = request.headers.get("user-agent", "") if request is not None else ""
    if actor is not None and not username:
        username = actor.get_username()
    return AuditEntry.objects.create(
        kind=kind,
        actor=actor,
        username=(username or "")[:150],
        ip_address=client_address(request),
        user_agent=user_agent[:USER_AGENT_MAX],
        detail=detail or {},
    )


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender, request, user, **kwargs):
    record(AuditKind.SIGNED_IN, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django passes the credentials with the password already masked; keep only the name.
    record(AuditKind.SIGN_IN_FAILED, request=request, username=credentials.get("username") or "")


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.SIGNED_OUT, request=request, actor=user)


# The CSV export: both trails, one row per entry, oldest first.
COLUMNS = [
    "time",
    "source",
    "kind",
    "actor",
    "username",
    "ip_address",
    "user_agent",
    "request",
    "from_state",
    "to_state",
    "detail",
]


class BadDay(ValueError):
    """A `from` or `to` that is not a day in the range: the message names the parameter."""


def _day_bounds(request) -> tuple[dt.datetime | None, dt.datetime | None]:
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both days included, in the site's time zone."""

    def start_of(name: str) -> dt.datetime | None:
        value = request.GET.get(name)
        if not value:
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            raise BadDay(f"{name}: Enter a valid date (YYYY-MM-DD).")
        if message := out_of_range(day):
            raise BadDay(f"{name}: {message}")
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    since = start_of("from")
    until = start_of("to")
    return since, until + dt.timedelta(days=1) if until else None


def within(queryset, since, until):
    """`queryset` limited to `created_at` in [since, until), oldest first."""
    if since:
        queryset = queryset.filter(created_at__gte=since)
    if until:
        queryset = queryset.filter(created_at__lt=until)
    return queryset.order_by("created_at", "id")


def _account_rows(since, until):
    for entry in within(AuditEntry.objects.select_related("actor"), since, until).iterator():
        actor = entry.actor.get_username() if entry.actor else ""
        yield (
            entry.created_at,
            [
                "account",
                entry.kind,
                actor,
                entry.username,
                entry.ip_address or "",
                entry.user_agent,
                "",
                "",
                "",
                json.dumps(entry.detail, sort_keys=True),
            ],
        )


# A trail yields (created_at, cells after "time") oldest first, one row per entry.
Trail = Callable[[dt.datetime | None, dt.datetime | None], Iterator[tuple[dt.datetime, list]]]
TRAILS: list[Trail] = [_account_rows]


def add_trail(trail: Trail) -> None:
    """Add another app's audit trail to the CSV export (once, however often it is called)."""
    if trail not in TRAILS:
        TRAILS.append(trail)


def export_csv(request):
    """The audit log as CSV, for staff; anyone else gets a 404 (the export is not advertised)."""
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    try:
        since, until = _day_bounds(request)
    except BadDay as bad:
        return HttpResponseBadRequest(str(bad), content_type="text/plain; charset=utf-8")
    # A period, never the whole log at once: by default the last 31 days, at most a year.
    if until is None:
        until = timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time.min)
        )
    if since is None:
        since = until - dt.timedelta(days=DEFAULT_EXPORT_DAYS)
    if until - since > dt.timedelta(days=MAX_EXPORT_DAYS):
        return HttpResponseBadRequest(
            f"from: Choose a period of at most {MAX_EXPORT_DAYS} days.",
            content_type="text/plain; charset=utf-8",
        )
    merged = heapq.merge(*(trail(since, until) for trail in TRAILS), key=lambda row: row[0])
    rows = ([created_at.isoformat(), *cells] for created_at, cells in merged)
    return safe_csv.streaming_response(
        COLUMNS, rows, "sosa-audit.csv", limit=settings.SOSA_EXPORT_MAX_ROWS
    )


DEFAULT_EXPORT_DAYS = 31
MAX_EXPORT_DAYS = 366
