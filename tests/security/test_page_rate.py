"""Pages are throttled per person like the API (issue 17, point 9)."""

from __future__ import annotations

import uuid

from partners.accounts.throttles import pages_per_person
from tests.helpers import sign_in, text_of


def test_past_the_limit_a_person_gets_a_429_page_with_retry_after(client, people, settings):
    settings.SOSA_PAGES_PER_MINUTE = 5
    # The count lives in the shared cache: start this person's minute afresh.
    pages_per_person().clear(str(people.observer_us.pk))
    sign_in(client, people.observer_us)

    answers = [client.get("/requests/").status_code for _ in range(6)]
    refused = client.get("/")

    assert answers == [200] * 5 + [429]
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Too many pages at once" in text_of(refused)
    # Another person is not slowed by it; the health check never counts.
    other = type(client)()
    sign_in(other, people.requester_in)
    pages_per_person().clear(str(people.requester_in.pk))
    assert other.get("/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)


def test_signed_out_visitors_are_not_counted_here(client, settings):
    settings.SOSA_PAGES_PER_MINUTE = 1
    for _ in range(3):
        assert client.get(f"/accounts/login/?x={uuid.uuid4().hex}").status_code == 200
