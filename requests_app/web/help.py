"""`/help/` (DESIGN §8, issue 16 point 11): the glossary, how each route runs, the deadlines of
this site as its tables have them, the accessibility statement, and whom each nation's people
write to. Open to everyone, signed in or not: people need help before they can sign in."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from partners.models import Nation, Posture
from partners.people import profile_of

from ..choices import PROGRAM_SYMBOLS, Party, Route, Stage, Urgency
from ..deadlines import StageRule, around_the_clock, stage_rule, stage_working_days
from ..postures import PostureRule, posture_rule
from .glossary import GLOSSARY

# The timed stages in the order a request meets them; the route where only one has the stage.
STAGES: tuple[tuple[str, str | None], ...] = (
    (Stage.ENDORSEMENT, None),
    (Stage.TRIAGE, None),
    (Stage.ANSWER, None),
    (Stage.DETERMINATION, Route.DPAS),
    (Stage.REVIEW, Route.CODE_OF_CONDUCT),
    (Stage.AUTHORISATION, Route.DPAS),
    (Stage.FORWARD, None),
    (Stage.SUPPLIER_RESPONSE, Route.DPAS),
    (Stage.SUPPLIER_RESPONSE, Route.CODE_OF_CONDUCT),
    (Stage.DELIVERY, None),
)
POSTURES = (Posture.PEACETIME, Posture.EMERGENCY, Posture.ARMED_CONFLICT)


@dataclass(frozen=True)
class StageRow:
    stage: str
    route: str  # '' on both routes
    whose_move: str
    lengths: list[str]  # one per posture of POSTURES


@dataclass(frozen=True)
class Contact:
    nation: Nation
    email: str  # '' : the portal's own help address
    yours: bool


def _days(count: int, around: bool) -> str:
    if around:
        return ngettext("%(n)d day around the clock", "%(n)d days around the clock", count) % {
            "n": count
        }
    return ngettext("%(n)d working day", "%(n)d working days", count) % {"n": count}


def stage_length(rule: StageRule, posture: PostureRule) -> str:
    """How long a stage has under a posture, in the words of the help page."""
    around = around_the_clock(rule, posture)
    if rule.until_committed_date:
        return _("until the committed delivery date")
    if rule.by_rating:
        lengths = " · ".join(f"{rating}: {days}" for rating, days in rule.by_rating.items())
        return _("%(lengths)s working days (the law: the same in every posture)") % {
            "lengths": lengths
        }
    if rule.conduct_days:
        if posture.conduct_divisor == 1:
            text = _("the nation's Code of Conduct response time")
        else:
            text = _("the nation's Code of Conduct response time ÷ %(d)d, rounded up") % {
                "d": posture.conduct_divisor
            }
        return text + (_(", in days around the clock") if around else "")
    days = stage_working_days(rule, posture=posture)
    text = _days(days, around)
    urgent = stage_working_days(rule, urgency=Urgency.EMERGENCY, posture=posture)
    if urgent != days:
        text += " " + _("(urgency “emergency”: %(n)d)") % {"n": urgent}
    if rule.reminders_only:
        text += " " + _("(reminders only)")
    return text


def deadline_rows() -> list[StageRow]:
    """The stage lengths this site counts (settings' overrides applied), per posture."""
    overrides = getattr(settings, "SOSA_SLA_OVERRIDES", None)
    posture_overrides = getattr(settings, "SOSA_POSTURE_SLA", None)
    postures = [posture_rule(posture, overrides=posture_overrides) for posture in POSTURES]
    parties = dict(Party.choices)
    rows = []
    for stage, only_on in STAGES:
        rule = stage_rule(stage, overrides, only_on or Route.DPAS)
        side = _("requesting nation") if rule.requesting_calendar else _("responding nation")
        rows.append(
            StageRow(
                stage=str(Stage(stage).label),
                route=str(Route(only_on).label) if only_on else "",
                whose_move=_("%(party)s, %(side)s") % {"party": parties[rule.ball], "side": side},
                lengths=[stage_length(rule, posture) for posture in postures],
            )
        )
    return rows


def contacts(user) -> list[Contact]:
    """Each nation with the address its people write to for help (settings: nations have no
    address of their own); the reader's own nation first."""
    addresses = {
        code.upper(): email for code, email in getattr(settings, "SOSA_HELP_CONTACTS", {}).items()
    }
    own_nation_id = getattr(profile_of(user), "nation_id", None)
    nations = Nation.objects.only(
        "code", "name", "priority_system", "conduct_response_working_days", "requires_endorsement"
    ).order_by("name")
    rows = [
        Contact(nation, addresses.get(nation.code, ""), nation.pk == own_nation_id)
        for nation in nations
    ]
    return sorted(rows, key=lambda contact: not contact.yours)


@require_safe
def help_page(request):
    return render(
        request,
        "requests/help.html",
        {
            "entries": GLOSSARY,
            "program_symbols": PROGRAM_SYMBOLS.items(),
            "postures": [Posture(posture).label for posture in POSTURES],
            "deadlines": deadline_rows(),
            "contacts": contacts(request.user),
            "help_email": getattr(settings, "SOSA_HELP_EMAIL", ""),
        },
    )


urlpatterns = [path("help/", help_page, name="help")]
