"""Outbox load for the tests, run as a subprocess against a database of its own (a SQLite file)
or the test's: `python -m tests.outbox_load <role> [args]`.

Roles: `seed URL` (two nations' people, three submitted requests, each nation's agency's webhook
at URL, for comments), `write N` (N shared comments, one transaction each), `work STOP` (a
worker: send the deliveries of every comment event, again and again, until STOP exists and
nothing is left), `resend STOP` (the periodic re-send, likewise), `catch_up SECONDS` (one re-send
that many seconds later), `deliver PK` (send one webhook delivery).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from partners.models import Arrangement  # noqa: E402
from requests_app import services  # noqa: E402
from requests_app.models import Event, PriorityRequest  # noqa: E402
from requests_app.outbox import engine, notices, webhooks  # noqa: E402
from requests_app.services.webhooks import register  # noqa: E402
from tests import factories as f  # noqa: E402

# Whoever runs this plays the broker: the workers below find the rows themselves.
notices.enqueue_sending = webhooks.enqueue_sending = lambda event_ids: True
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(url: str) -> None:
    us, india = f.us(), f.india()
    Arrangement.objects.create(first_nation=us, second_nation=india)
    mod = f.AgencyFactory(nation=india, name="MoD Acquisition Wing")
    dod = f.AgencyFactory(nation=us, name="DoD Industrial Base Policy")
    requester = f.make_user("requester.in", "requester", india, agency=mod)
    f.make_user("liaison.us", "liaison", us, serves=(india,))
    for agency, path in ((mod, "/in"), (dod, "/us")):
        register(agency=agency, url=url + path, event_kinds=["comment"], by=None)
    for n in range(3):
        services.submit(f.draft(requester, us, title=f"Gyroscopes, lot {n}"), by=requester)


def write(count: int) -> None:
    liaison = f.User.objects.get(username="liaison.us")
    requests = list(PriorityRequest.objects.order_by("id"))
    for n in range(count):
        services.add_comment(requests[n % len(requests)], by=liaison, body=f"Chasing, {n}.")


def _left(now: dt.datetime) -> bool:
    return engine.pending(webhooks.WEBHOOKS, now).exists()


def work(stop: Path) -> None:
    while not (stop.exists() and not _left(timezone.now())):
        ids = list(Event.objects.filter(action="comment").values_list("id", flat=True))
        webhooks.deliver_for_events(ids)


def resend(stop: Path) -> None:
    while not (stop.exists() and not _left(timezone.now())):
        webhooks.deliver_due(grace_seconds=0)
        time.sleep(0.01)


def catch_up(seconds: str) -> None:
    later = timezone.now() + dt.timedelta(seconds=float(seconds))
    print(webhooks.deliver_due(now=later, grace_seconds=0))


def deliver(pk: str) -> None:
    print(webhooks.deliver_one(int(pk)))


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    {
        "seed": lambda: seed(args[0]),
        "write": lambda: write(int(args[0])),
        "work": lambda: work(Path(args[0])),
        "resend": lambda: resend(Path(args[0])),
        "catch_up": lambda: catch_up(args[0]),
        "deliver": lambda: deliver(args[0]),
    }[role]()
    connection.close()
