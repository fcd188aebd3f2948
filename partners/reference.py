"""Nations as reference data: every list page shows them (filter menus, the nations of each row)
and they change a few times a year. Kept in the cache for a few minutes, dropped when a nation
is saved or deleted; a page never fails or goes stale for long because of the cache."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .calendars import WorkingCalendar
from .models import Closure, Nation, calendar_for

log = logging.getLogger(__name__)


def nations_key() -> str:
    """Per database: processes on other databases (tests, a second site) share the cache."""
    return f"partners:nations:v1:{connection.settings_dict['NAME']}"


NATIONS_SECONDS = 5 * 60  # bounds staleness after a change that sends no signal (bulk, SQL)


def nations() -> list[Nation]:
    """Every nation, in code order."""
    try:
        found = cache.get(nations_key())
    except Exception:  # a cache outage costs a query, never the page
        log.warning("Cache unavailable: nations read from the database", exc_info=True)
        return list(Nation.objects.order_by("code"))
    if found is None:
        found = _reload()
    return found


def nations_by_id(wanted: Iterable[int]) -> dict[int, Nation]:
    """Every nation by id, read again from the database when one of `wanted` is missing (added
    since the cache was filled)."""
    by_id = {nation.pk: nation for nation in nations()}
    if not set(wanted) <= by_id.keys():
        by_id = {nation.pk: nation for nation in _reload()}
    return by_id


def _reload() -> list[Nation]:
    found = list(Nation.objects.order_by("code"))
    try:
        cache.set(nations_key(), found, NATIONS_SECONDS)
    except Exception:
        log.warning("Cache unavailable: nations not cached", exc_info=True)
    return found


def closures_key() -> str:
    """Per database: ids of another database's nations must never pick up these closures."""
    return f"partners:closures:v1:{connection.settings_dict['NAME']}"


def calendars_by_id(wanted: Iterable[int]) -> dict[int, WorkingCalendar]:
    """The working calendar of each wanted nation, its closures from the cache (a list page
    counts every row's working days left without a query)."""
    wanted = set(wanted)
    if not wanted:
        return {}
    by_id = nations_by_id(wanted)
    try:
        closures = cache.get(closures_key())
    except Exception:
        log.warning("Cache unavailable: closures read from the database", exc_info=True)
        closures = None
    if closures is None:
        closures = {}
        for nation_id, day, name in Closure.objects.values_list("nation_id", "date", "name"):
            closures.setdefault(nation_id, {})[day] = name
        try:
            cache.set(closures_key(), closures, NATIONS_SECONDS)
        except Exception:
            log.warning("Cache unavailable: closures not cached", exc_info=True)
    return {pk: calendar_for(by_id[pk], closures.get(pk, {})) for pk in wanted}


@receiver(post_save, sender=Closure, dispatch_uid="partners.reference.closure_saved")
@receiver(post_delete, sender=Closure, dispatch_uid="partners.reference.closure_deleted")
def forget_closures(**kwargs) -> None:
    try:
        cache.delete(closures_key())
    except Exception:
        log.warning("Cache unavailable: closures may be stale for minutes", exc_info=True)


@receiver(post_save, sender=Nation, dispatch_uid="partners.reference.nation_saved")
@receiver(post_delete, sender=Nation, dispatch_uid="partners.reference.nation_deleted")
def forget_nations(**kwargs) -> None:
    try:
        cache.delete(nations_key())
    except Exception:
        log.warning("Cache unavailable: nations may be stale for minutes", exc_info=True)
