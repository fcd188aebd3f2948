"""Helpers of `seed_demo`: the demo people's accounts, when each demo step happened, and the
texts of a demo request."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.contrib.auth import get_user_model

from ..demo_data import PEOPLE, Demo, Subject

User = get_user_model()


def demo_usernames() -> list[str]:
    return ["admin", *(person.username for person in PEOPLE)]


def upsert_user(username: str, password: str, first: str, last: str):
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@demo.example.org", "first_name": first, "last_name": last},
    )
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def supplier_user(people, supplier_id):
    """The demo user acting for this supplier, if there is one."""
    for user in people.values():
        profile = getattr(user, "profile", None)
        if supplier_id and profile and profile.supplier_id == supplier_id:
            return user
    return None


def step_moments(steps, now, last_days_ago: float, gap_days: float) -> list[dt.datetime]:
    """When the draft was created and each step taken, counted back from `now` in weekdays:
    people act on working days; a comment comes two hours after the action before it."""
    weights = [0.0] + [2 / 24 if step.startswith("note_") else gap_days for step in steps]
    remaining = last_days_ago + sum(weights)
    moments = []
    for weight in weights:
        remaining -= weight
        moments.append(weekdays_before(now, remaining))
    return moments


def weekdays_before(now: dt.datetime, days: float) -> dt.datetime:
    moment = weekday_on_or_before(now - dt.timedelta(days=days % 1))
    for _ in range(int(days)):
        moment = weekday_on_or_before(moment - dt.timedelta(days=1))
    return moment


Day = TypeVar("Day", bound=dt.date)  # a date, or a datetime kept as one


def weekday_on_or_before(moment: Day) -> Day:
    while moment.weekday() >= 5:
        moment -= dt.timedelta(days=1)
    return moment


def justification_of(subject: Subject, demo: Demo) -> str:
    urgency = {
        "routine": "Without these items the delivery schedule slips by a quarter.",
        "urgent": "Aircraft and vehicles are waiting on these parts; availability is falling.",
        "emergency": "Operational units are grounded or non-mission-capable until delivery.",
    }[demo.urgency]
    return f"{subject.program} for {subject.end_user}. {urgency}"


def rel_to(*codes: str) -> str:
    trigraphs = {"US": "USA", "IN": "IND", "GB": "GBR"}
    ordered = sorted(codes, key=lambda code: code != "US")
    return ", ".join(trigraphs[code] for code in ordered)
