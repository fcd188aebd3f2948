"""Nations are reference data read from the cache by the list pages: a saved, renamed or deleted
nation shows at once, a nation added without a signal still shows on its rows, and a cache
outage costs a query, not the page."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from partners import reference
from partners.models import Nation
from tests.helpers import sign_in, text_of

pytestmark = pytest.mark.django_db


def filed_by_options(client) -> str:
    html = text_of(client.get("/requests/"))
    return html.split('id="f-from"')[1].split("</select>")[0]


def test_a_saved_renamed_or_deleted_nation_shows_in_the_filter_menus_at_once(client, people):
    sign_in(client, people.liaison_us)
    assert "Norway" not in filed_by_options(client)  # the cache is filled here

    norway = Nation.objects.create(code="NO", name="Norway")
    added = filed_by_options(client)
    norway.name = "Kingdom of Norway"
    norway.save()
    renamed = filed_by_options(client)
    norway.delete()
    deleted = filed_by_options(client)

    assert '<option value="NO">Norway</option>' in added
    assert '<option value="NO">Kingdom of Norway</option>' in renamed
    assert 'value="NO"' not in deleted


def test_a_nation_added_without_a_signal_is_read_again_when_a_row_needs_it(people):
    reference.nations()  # cached without it
    [added] = Nation.objects.bulk_create([Nation(code="NO", name="Norway")])

    by_id = reference.nations_by_id({people.us.pk, added.pk})

    assert by_id[added.pk].name == "Norway"
    assert added.code in {nation.code for nation in cache.get(reference.nations_key())}


def test_a_cache_outage_reads_the_nations_from_the_database(people, monkeypatch):
    def unavailable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", unavailable)
    monkeypatch.setattr(cache, "set", unavailable)

    codes = [nation.code for nation in reference.nations()]

    assert codes == sorted(Nation.objects.values_list("code", flat=True))
