"""Every request's search words written again from its rows, in one statement on PostgreSQL
(the migration that added them, and the load benchmark after its bulk seeding), row by row on
SQLite. The same words `services/search.py` keeps as requests change."""

from __future__ import annotations

from typing import Any

from django.db import connection

from sosa_portal.lib.sql import quote

POSTGRES = """
UPDATE requests_app_priorityrequest AS r SET
  search_text = concat_ws(' ', r.reference, NULLIF(r.title, ''), NULLIF(r.contract_number, ''),
    NULLIF(r.program, ''), NULLIF(r.prime_contractor, ''),
    (SELECT s.name FROM partners_supplier AS s WHERE s.id = r.supplier_id),
    (SELECT string_agg(concat_ws(' ', NULLIF(i.part_number, ''), NULLIF(i.nsn, '')), ' ')
       FROM requests_app_requestitem AS i WHERE i.request_id = r.id),
    (SELECT string_agg(c.body, ' ' ORDER BY c.created_at, c.id)
       FROM requests_app_comment AS c WHERE c.request_id = r.id AND c.visibility = 'shared')),
  search_internal = COALESCE((SELECT string_agg(c.body, ' ' ORDER BY c.created_at, c.id)
       FROM requests_app_comment AS c WHERE c.request_id = r.id AND c.visibility = 'internal'), '')
"""
# The expressions `queries/search.py` filters on (SearchVector with config "simple"), indexed.
INDEXES = {
    "request_search_shared_idx": "COALESCE(search_text, '')",
    "request_search_all_idx": "COALESCE(search_text, '') || ' ' || COALESCE(search_internal, '')",
}


def rebuild(apps=None) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES)
        return
    _rebuild_rows(apps)


def create_indexes() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, expression in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(name)} ON requests_app_priorityrequest "
                f"USING gin (to_tsvector('simple'::regconfig, {expression}))"
            )


def drop_indexes() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def _rebuild_rows(apps) -> None:
    from django.apps import apps as live_apps

    models = apps or live_apps
    requests: Any = models.get_model("requests_app", "PriorityRequest")
    items = models.get_model("requests_app", "RequestItem")
    comments = models.get_model("requests_app", "Comment")
    for row in requests.objects.select_related("supplier").iterator():
        words = [row.reference, row.title, row.contract_number, row.program, row.prime_contractor]
        if row.supplier_id:
            words.append(row.supplier.name)
        for part, nsn in items.objects.filter(request_id=row.pk).values_list("part_number", "nsn"):
            words += [part, nsn]
        shared: list[str] = []
        internal: list[str] = []
        for body, visibility in (
            comments.objects.filter(request_id=row.pk)
            .order_by("created_at", "id")
            .values_list("body", "visibility")
        ):
            if visibility == "shared":
                shared.append(body)
            elif visibility == "internal":  # a national comment is never searched
                internal.append(body)
        row.search_text = " ".join(word for word in [*words, *shared] if word)
        row.search_internal = " ".join(internal)
        row.save(update_fields=["search_text", "search_internal"])
