"""Emptying the benchmark tables between runs.

The seeders themselves live in `benchmarks/copy_seed.py` (PostgreSQL `COPY`; about ten times the
rate of the `bulk_create` seeder this module used to hold). Base data (nations, people) comes
from `manage.py seed_demo` and is kept.
"""

from __future__ import annotations

from django.db import connection


def reset() -> None:
    """Remove every request and what hangs off it (events, clocks, escalations, outbox)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE requests_app_escalation, requests_app_notification, "
                "requests_app_clock, requests_app_event, requests_app_requestitem, "
                "requests_app_comment, requests_app_attachment, requests_app_priorityrequest "
                "CASCADE"
            )
        else:
            for table in (
                "escalation",
                "notification",
                "clock",
                "event",
                "requestitem",
                "comment",
                "attachment",
                "priorityrequest",
            ):
                cursor.execute(f"DELETE FROM requests_app_{table}")
