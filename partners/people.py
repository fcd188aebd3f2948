"""Who a signed-in person is, read in one statement: profile (with nation, agency, supplier),
role and served nations — and the one cache of it.

Every page and API call needs all three. `person(user)` loads them once per user object (Django
builds a fresh `request.user` for every request, so once per request; a task or a shell session
that loads the user again loads the person again) and keeps them here, in an identity-keyed map
that forgets an entry when its user object goes away — nothing is hung on the `User`.

Written as SQL from the models' own metadata because the ORM spent ~1.7 ms composing the
equivalent query (select_related, an annotation and a role subquery) that the
database answers in ~0.5 ms; portable to SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections, router

from sosa_portal.lib.sql import quote

from .models import Agency, Nation, Profile, Role, Supplier

JOINED: tuple[tuple[str, Any, str, str], ...] = (
    ("n", Nation, "nation_id", "INNER"),
    ("a", Agency, "agency_id", "LEFT"),
    ("s", Supplier, "supplier_id", "LEFT"),
)


@dataclass(frozen=True)
class Person:
    profile: Profile | None
    role: str | None
    served_nation_ids: list[int]


# id(user) -> (a weak reference to that very object, its person)
_cache: dict[int, tuple[weakref.ref, Person]] = {}


def person(user) -> Person:
    """The person behind a signed-in `user` object, loaded on first use and kept with it."""
    key = id(user)
    entry = _cache.get(key)
    if entry is not None and entry[0]() is user:
        return entry[1]
    found = load(user.pk)

    def drop(_gone: object, key: int = key) -> None:
        _cache.pop(key, None)

    _cache[key] = (weakref.ref(user, drop), found)
    return found


def forget(user) -> None:
    """Drop what is cached for this user object (after changing their groups or profile)."""
    _cache.pop(id(user), None)


def user_role(user) -> str | None:
    """The user's role: the first of the role groups they belong to."""
    return person(user).role if user.is_authenticated else None


def profile_of(user) -> Profile | None:
    return person(user).profile if user.is_authenticated else None


def staff_or(user, rule: Callable[[Profile], bool]) -> bool:
    """Staff, or an active signed-in person whose profile `rule` accepts (who may change a
    posture, withdraw a signature…)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    profile = profile_of(user)
    return bool(profile and rule(profile))


def served_nation_ids(user) -> list[int]:
    return person(user).served_nation_ids if user.is_authenticated else []


def remember_language(user, language: str) -> bool:
    """Keep `language` (one of settings.LANGUAGES) as the language of the person's e-mails and
    notices; False when it is not one, or the user has no profile (staff without one)."""
    if not user.is_authenticated or language not in dict(settings.LANGUAGES):
        return False
    profile = profile_of(user)
    if profile is None:
        return False
    if profile.language != language:
        Profile.objects.filter(pk=profile.pk).update(language=language)
        profile.language = language
    return True


def language_of(profile: Profile | None) -> str:
    """The language a person's e-mails and notices are written in: theirs, else the portal's."""
    chosen = profile.language if profile is not None else ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def person_label(user) -> str:
    """How a person is named on pages and in the timeline: "Full Name (username)"."""
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def load(user_id: int) -> Person:
    alias = router.db_for_read(Profile)
    sql, params = _statement(connections[alias].vendor)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [*params, user_id])
        rows = cursor.fetchall()
    if not rows:
        return Person(None, _role_without_profile(user_id), [])
    first = rows[0]
    profile, position = _instance(Profile, alias, first, 0)
    for _, model, attname, _ in JOINED:
        related, position = _instance(model, alias, first, position)
        setattr(profile, attname.removesuffix("_id"), related)
    served = [row[position] for row in rows if row[position] is not None]
    return Person(profile, first[position + 1], served)


def _instance(model, alias: str, row: tuple, start: int):
    """The model instance whose columns start at `start` (None for an outer join's NULLs)."""
    width = len(model._meta.concrete_fields)
    values = row[start : start + width]
    if values[0] is None:
        return None, start + width
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(alias, names, values), start + width


@functools.cache
def _statement(vendor: str) -> tuple[str, list]:
    """The SQL (built once per process) and its fixed parameters; the user id goes last."""

    def columns(alias: str, model) -> list[str]:
        return [f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields]

    selected = columns("p", Profile)
    joins = []
    for alias, model, attname, kind in JOINED:
        selected += columns(alias, model)
        column = Profile._meta.get_field(attname.removesuffix("_id")).column
        joins.append(
            f"{kind} JOIN {quote(model._meta.db_table)} {alias} "
            f"ON {alias}.{quote(model._meta.pk.column)} = p.{quote(column)}"
        )
    served = Profile._meta.get_field("served_nations")
    through = served.remote_field.through._meta.db_table
    memberships = get_user_model()._meta.get_field("groups")
    member_table = memberships.remote_field.through._meta.db_table
    roles = list(Role.values)
    placeholders = ", ".join(["%s"] * len(roles))
    rank = " ".join(f"WHEN %s THEN {position}" for position in range(len(roles)))
    role = (
        f"(SELECT g.{quote('name')} FROM {quote(Group._meta.db_table)} g "
        f"INNER JOIN {quote(member_table)} m ON m.{quote(memberships.m2m_reverse_name())} = g.id "
        f"WHERE m.{quote(memberships.m2m_column_name())} = p.{quote('user_id')} "
        f"AND g.{quote('name')} IN ({placeholders}) "
        f"ORDER BY CASE g.{quote('name')} {rank} END LIMIT 1)"
    )
    sql = (
        f"SELECT {', '.join(selected)}, sn.{quote(served.m2m_reverse_name())}, {role} "
        f"FROM {quote(Profile._meta.db_table)} p {' '.join(joins)} "
        f"LEFT JOIN {quote(through)} sn ON sn.{quote(served.m2m_column_name())} = p.id "
        f"WHERE p.{quote('user_id')} = %s"
    )
    return sql, roles + roles


def _role_without_profile(user_id: int) -> str | None:
    names = set(
        Group.objects.filter(user__id=user_id, name__in=Role.values).values_list("name", flat=True)
    )
    return next((role for role in Role.values if role in names), None)
