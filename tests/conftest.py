import datetime as dt
import logging
import os
import re
import shutil
from dataclasses import dataclass

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from partners.models import Arrangement
from requests_app import services
from sosa_portal.lib import logs
from tests import factories as f
from tests.helpers import NOW, us_working_day

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Test receivers listen on loopback: allowed here as a closed network would list its own
# (tests/security/test_ssrf.py clears it). Subprocesses (workers) inherit it.
LOOPBACK = ["127.0.0.0/8", "::1/128"]
os.environ.setdefault("SOSA_WEBHOOK_ALLOWED_NETWORKS", ",".join(LOOPBACK))
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need_service(what: str, available: bool, why: str = "") -> None:
    """Skip when a service is missing locally; fail when CI says services are required."""
    if available:
        return
    message = f"{what} is not available{': ' + why if why else ''}"
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


@pytest.fixture
def postgres(db):
    need_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    ok = False
    if url:
        import redis

        try:
            ok = bool(redis.Redis.from_url(url, socket_timeout=2).ping())
        except Exception:
            ok = False
    need_service("Redis", ok, "set REDIS_URL to a running server")
    return url


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The per-address limits count in the shared cache (Redis in CI) across tests: a test of a
    # limit sets its own and signs in from an address of its own (tests/security).
    settings.SOSA_SIGNIN_FAILURES_PER_ADDRESS = 10_000
    settings.SOSA_PAGES_PER_MINUTE = 0  # tests of the page limit set their own
    settings.SOSA_QUEUE_COUNTS_SECONDS = 0  # the queue's side counts, kept: its own tests
    settings.SOSA_PASSWORD_RESETS_PER_EMAIL = 10_000
    settings.SOSA_PASSWORD_RESETS_PER_ADDRESS = 10_000
    settings.SOSA_WEBHOOK_ALLOWED_NETWORKS = LOOPBACK
    # Real hashing costs ~0.2 s per user; tests make dozens.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen_now():
    """Time frozen at tests.helpers.NOW and ticking on from there; a module takes it for all
    its tests with `pytestmark = pytest.mark.usefixtures("frozen_now")`."""
    with time_machine.travel(NOW, tick=True):
        yield NOW


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks queued after commit run in-process (mail lands in mail.outbox); the worker and
    outage tests switch this off and talk to a real broker."""
    from sosa_portal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def redis_exe():
    exe = shutil.which("redis-server")
    need_service("redis-server (for a private broker)", exe is not None)
    return exe


@dataclass
class People:
    us: object
    india: object
    uk: object
    requester_in: object
    requester_in2: object
    liaison_in: object
    reviewer_in: object
    observer_in: object
    requester_us: object
    liaison_us: object
    reviewer_us: object
    authority_us: object
    supplier_us: object
    other_supplier_us: object
    observer_us: object
    requester_gb: object
    liaison_gb: object
    liaison_us_gb: object
    reviewer_gb: object
    observer_gb: object
    supplier_gb: object
    senior_us: object
    company_us: object
    company_us_other: object
    company_in_signed: object
    company_in_unsigned: object


@pytest.fixture
def people(db) -> People:
    us, india, uk = f.us(), f.india(), f.uk()
    # The arrangements of DESIGN §1: the US with each partner; none between India and the UK.
    Arrangement.objects.create(first_nation=us, second_nation=india)
    Arrangement.objects.create(first_nation=us, second_nation=uk)
    company_us = f.SupplierFactory(nation=us, name="Acme Gyro Inc", cage_code="1ACM1")
    company_us_other = f.SupplierFactory(nation=us, name="Boeing Parts", cage_code="1BPT2")
    company_in_signed = f.SupplierFactory(nation=india, name="Bharat Forge", cage_code="IN001")
    company_in_unsigned = f.SupplierFactory(
        nation=india, name="Unsigned Works", cage_code="IN002", code_of_conduct_signed_on=None
    )
    company_gb = f.SupplierFactory(nation=uk, name="BAE Parts", cage_code="K0001")
    mod = f.AgencyFactory(nation=india, name="MoD Acquisition Wing")
    dod = f.AgencyFactory(
        nation=us, name="DoD Industrial Base Policy", kind="program_determination"
    )
    bis = f.AgencyFactory(
        nation=us, name="Commerce BIS DPAS office (SIES)", kind="rating_authority"
    )
    u = f.make_user
    return People(
        us=us,
        india=india,
        uk=uk,
        requester_in=u("requester.in", "requester", india, agency=mod),
        requester_in2=u("requester2.in", "requester", india, agency=mod),
        liaison_in=u("liaison.in", "liaison", india, serves=(us,)),
        reviewer_in=u("reviewer.in", "reviewer", india),
        observer_in=u("observer.in", "observer", india),
        requester_us=u("requester.us", "requester", us, agency=dod),
        liaison_us=u("liaison.us", "liaison", us, serves=(india,)),
        reviewer_us=u("reviewer.us", "reviewer", us, agency=dod),
        authority_us=u("authority.us", "reviewer", us, agency=bis),
        supplier_us=u("supplier.us", "supplier", us, supplier=company_us),
        other_supplier_us=u("supplier2.us", "supplier", us, supplier=company_us_other),
        observer_us=u("observer.us", "observer", us),
        requester_gb=u("requester.gb", "requester", uk),
        liaison_gb=u("liaison.gb", "liaison", uk, serves=(us,)),
        # Someone in the US must triage the UK's requests (filing needs a serving liaison).
        liaison_us_gb=u("liaison.us-gb", "liaison", us, serves=(uk,)),
        reviewer_gb=u("reviewer.gb", "reviewer", uk),
        observer_gb=u("observer.gb", "observer", uk),
        supplier_gb=u("supplier.gb", "supplier", uk, supplier=company_gb),
        senior_us=u("senior.us", "observer", us, senior=True),
        company_us=company_us,
        company_us_other=company_us_other,
        company_in_signed=company_in_signed,
        company_in_unsigned=company_in_unsigned,
    )


# The path an India→US request takes to each state, acting as the people above (with the
# endorsement by liaison.in first where India requires it).
ENDORSE = ("endorse", "liaison_in", {"note": "India endorses it."})
PATH = [
    ("submit", "requester_in", {}),
    ("triage", "liaison_us", {"assignee": "reviewer_us"}),
    ("determine", "reviewer_us", {"rating": "DX", "program_symbol": "A1", "note": "Supports G2."}),
    (
        "authorise",
        "authority_us",
        {"bis_case_number": "BIS-26-0042", "rating": "DX", "program_symbol": "A1", "note": "OK."},
    ),
    ("forward", "liaison_us", {"supplier": "company_us"}),
    ("supplier_accept", "supplier_us", {"committed_delivery_date": "in_120_days"}),
]
STATE_AFTER = [
    "submitted",
    "in_review",
    "awaiting_authorisation",
    "approved",
    "with_supplier",
    "accepted",
]


@pytest.fixture
def make_request(people):
    """make_request(state="approved", **draft_fields): an India→US request driven to `state`;
    "partly_accepted": two items, the supplier accepted the first and rejected the second."""

    def make(state: str = "draft", *, now=None, **fields):
        if state == "partly_accepted":
            two = [f.item(), f.item(description="Seal kit")]
            request = make("with_supplier", now=now, items=two, **fields)
            kept, refused = request.items.order_by("id")
            return services.supplier_accept(
                request,
                by=people.supplier_us,
                items=[{"id": kept.pk, "committed_delivery_date": us_working_day(365)}],
                rejected_items=[{"id": refused.pk, "reason": "No seal capacity."}],
                now=now,
            )
        request = f.draft(people.requester_in, people.us, **fields)
        if state == "draft":
            return request
        path, after = PATH, STATE_AFTER
        if state == "awaiting_endorsement" and not people.india.requires_endorsement:
            people.india.requires_endorsement = True
            people.india.save(update_fields=["requires_endorsement"])
        if people.india.requires_endorsement:
            path = [PATH[0], ENDORSE, *PATH[1:]]
            after = ["awaiting_endorsement", *STATE_AFTER]
        return drive(people, request, path, after, state, now)

    return make


def drive(people, request, path, after, state, now):
    """Take the actions of `path` (people and companies named by attribute) until `state`."""
    for (action, actor, args), reached in zip(path, after, strict=True):
        resolved = {
            key: getattr(people, value)
            if isinstance(value, str) and hasattr(people, value)
            else value
            for key, value in args.items()
        }
        if resolved.get("committed_delivery_date") == "in_120_days":
            start = now or timezone.now()
            resolved["committed_delivery_date"] = start.date() + dt.timedelta(days=120)
        request = services.ACTIONS[action](request, by=getattr(people, actor), now=now, **resolved)
        if reached == state:
            return request
    raise ValueError(f"no path to {state}")


# The Code of Conduct route: a US→India request, India's MoD approves it, a signatory firm.
COC_PATH = [
    ("submit", "requester_us", {}),
    ("triage", "liaison_in", {"assignee": "reviewer_in"}),
    ("approve", "reviewer_in", {"note": "India's MoD supports it."}),
    ("forward", "liaison_in", {"supplier": "company_in_signed"}),
]
COC_STATE_AFTER = ["submitted", "in_review", "approved", "with_supplier"]


@pytest.fixture
def make_coc_request(people):
    """make_coc_request(state="approved"): a US→India request (Code of Conduct route)."""

    def make(state: str = "draft", *, now=None, **fields):
        fields.setdefault("title", "Forgings for a US program")
        request = f.draft(people.requester_us, people.india, **fields)
        if state == "draft":
            return request
        return drive(people, request, COC_PATH, COC_STATE_AFTER, state, now)

    return make


@pytest.fixture
def two_of_three(people, make_request):
    """An India→US order: 6 gear actuators accepted by SEPTEMBER, 6 mounting brackets by JUNE
    (180 and 270 days from today); the 12 seal kits rejected. → (request, actuator, seals,
    bracket)."""
    june, september = us_working_day(180), us_working_day(270)
    request = make_request(
        "with_supplier",
        items=[
            f.item(description="Gear actuator", quantity=6),
            f.item(description="Seal kit", quantity=12),
            f.item(description="Mounting bracket", quantity=6),
        ],
    )
    actuator, seals, bracket = request.items.order_by("id")
    request = services.supplier_accept(
        request,
        by=people.supplier_us,
        items=[
            {"id": actuator.pk, "committed_delivery_date": september},
            {"id": bracket.pk, "committed_delivery_date": june},
        ],
        rejected_items=[{"id": seals.pk, "reason": "No seal capacity this year."}],
    )
    return request, actuator, seals, bracket


# Every line logged by the whole suite — in this process and by the web servers and workers it
# starts (their *.log files under pytest's temporary folder) — is searched at the end for the
# demo password and any API token: no secret may reach a log (issue 18 point 2).
TOKEN_IN_CLEAR = re.compile(r"sosa_[A-Za-z0-9_-]{16,}")
DEMO_BANNER = "Demo logins (password: "  # the Makefile's banner, not a log line


@pytest.fixture(scope="session", autouse=True)
def _no_secret_in_any_log(tmp_path_factory):
    from django.conf import settings

    folder = tmp_path_factory.mktemp("suite-log")
    handler = logging.FileHandler(folder / "suite.log", encoding="utf-8")
    handler.setFormatter(logs.formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield
    root.removeHandler(handler)
    handler.close()
    found = []
    for path in tmp_path_factory.getbasetemp().rglob("*.log"):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if DEMO_BANNER in line:  # `make run` tells the person at the terminal, on purpose
                continue
            if settings.DEMO_PASSWORD in line or TOKEN_IN_CLEAR.search(line):
                found.append(f"{path.name}:{number}: {line[:300]}")
    assert not found, "a secret in the logs:\n" + "\n".join(found[:20])
