"""The posture an arrangement's clocks follow (DESIGN §5): one SLA table per posture, as data.

Peacetime is the table of `deadlines.SLA`; emergency shortens its stages to the lengths below
and halves a Code of Conduct response time; armed conflict keeps the emergency lengths but
counts calendar days around the clock. The DPAS supplier clock is the law (15 CFR 700.13) and
never moves with a posture. Override with settings.SOSA_POSTURE_SLA, e.g.
{"emergency": {"days": {"triage": 2}}}.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from partners.models import Posture

from . import explained
from .choices import Stage


@dataclass(frozen=True)
class PostureRule:
    posture: str
    # Stage → working days (around the clock: days) where shorter than in peacetime.
    days: Mapping[str, int] = field(default_factory=dict)
    # A Code of Conduct response time is divided by this (rounded up).
    conduct_divisor: int = 1
    # Calendar days, weekends and holidays included, due at the same hour.
    around_the_clock: bool = False
    since: dt.datetime | None = None  # when the arrangement took this posture

    @property
    def is_peacetime(self) -> bool:
        return self.posture == Posture.PEACETIME

    @property
    def label(self) -> str:
        return str(Posture(self.posture).label)

    def phrase(self, tz=None) -> str:
        """'Emergency posture since Mon 7 Dec 2026', as explanations name it."""
        return explained.say(self.words(tz))

    def words(self, tz=None) -> explained.Phrase:
        """`phrase`, kept as words (`explained`)."""
        name = explained.posture(self.posture)
        if self.since is None:
            return explained.words("posture", posture=name)
        day = self.since.astimezone(tz).date() if tz else self.since.date()
        return explained.words("posture_since", posture=name, day=explained.day(day))


EMERGENCY_DAYS: dict[str, int] = {
    Stage.ENDORSEMENT: 1,
    Stage.TRIAGE: 1,
    Stage.ANSWER: 2,
    Stage.DETERMINATION: 2,
    Stage.REVIEW: 2,
    Stage.AUTHORISATION: 2,
    Stage.FORWARD: 1,
}
POSTURE_SLA: dict[str, PostureRule] = {
    Posture.PEACETIME: PostureRule(Posture.PEACETIME),
    Posture.EMERGENCY: PostureRule(Posture.EMERGENCY, EMERGENCY_DAYS, conduct_divisor=2),
    Posture.ARMED_CONFLICT: PostureRule(
        Posture.ARMED_CONFLICT, EMERGENCY_DAYS, conduct_divisor=2, around_the_clock=True
    ),
}
PEACETIME = POSTURE_SLA[Posture.PEACETIME]


def posture_rule(
    posture: str,
    *,
    since: dt.datetime | None = None,
    overrides: Mapping[str, Mapping] | None = None,
) -> PostureRule:
    """The table of `posture` (settings' overrides applied), in force since `since`."""
    rule = POSTURE_SLA.get(posture, PEACETIME)
    changes = dict((overrides or {}).get(rule.posture, {}))
    if "days" in changes:
        changes["days"] = {**rule.days, **changes["days"]}
    return dataclasses.replace(rule, **changes, since=since)
