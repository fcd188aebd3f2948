"""One person's export costs a bounded amount (issue 17, point 9): the queue's CSV and the audit
export stop at SOSA_EXPORT_MAX_ROWS with a last row saying so; the audit export covers a
period (the last 31 days by default, at most a year)."""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.test import Client

from tests.helpers import PASSWORD, sign_in


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_queue_csv_stops_at_the_cap_and_says_so(client, people, make_request, settings):
    settings.SOSA_EXPORT_MAX_ROWS = 3
    for _ in range(5):
        make_request("submitted")
    sign_in(client, people.liaison_us)

    rows = rows_of(client.get("/queue/", {"view": "all", "format": "csv"}))

    assert len(rows) == 1 + 3 + 1
    assert rows[-1] == ["# More than 3 rows: the rest is left out. Narrow the filters."]


def test_the_audit_export_covers_a_period_of_at_most_a_year(people, settings):
    auditor = get_user_model().objects.create_superuser("auditor", "a@example.org", PASSWORD)
    client = Client()
    sign_in(client, auditor)

    too_long = client.get("/audit/export.csv", {"from": "2024-01-01", "to": "2026-01-01"})
    default = rows_of(client.get("/audit/export.csv"))

    assert too_long.status_code == 400
    assert too_long.content.decode() == "from: Choose a period of at most 366 days."
    assert default[0][0] == "time"  # the header, then this month's entries (the sign-ins)
