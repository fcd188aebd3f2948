"""Nations, their calendars and closures, and the roles people play (DESIGN §3)."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..calendars import WorkingCalendar


class Role(models.TextChoices):
    """Roles are Django groups of these names (DESIGN §2)."""

    REQUESTER = "requester", _("Requester")
    LIAISON = "liaison", _("Liaison officer")
    REVIEWER = "reviewer", _("Reviewer")
    SUPPLIER = "supplier", _("Supplier")
    OBSERVER = "observer", _("Observer")


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


class Nation(models.Model):
    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    holiday_calendar = models.CharField(
        max_length=8, blank=True, help_text=_("Country code for the holidays library, e.g. US, IN.")
    )
    holiday_subdivision = models.CharField(
        max_length=8, blank=True, help_text=_("Optional subdivision, e.g. DL for Delhi.")
    )
    sosa_signed_on = models.DateField(_("SOSA signing date"), null=True, blank=True)
    priority_system = models.CharField(
        max_length=16,
        choices=[("dpas", _("DPAS rated orders")), ("code_of_conduct", _("Code of Conduct"))],
        default="code_of_conduct",
        help_text=_("How suppliers of this nation are bound to give priority."),
    )
    conduct_response_working_days = models.PositiveSmallIntegerField(
        _("Code of Conduct response time (working days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The supplier response time this nation's Code of Conduct asks."),
    )
    requires_endorsement = models.BooleanField(
        _("requires national endorsement"),
        default=False,
        help_text=_("Its own liaison officer endorses each request before it leaves."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def relies_on_code_of_conduct(self) -> bool:
        """Partner side: only Code of Conduct signatories may receive forwarded requests."""
        return self.priority_system == "code_of_conduct"


class Closure(models.Model):
    """An extra non-working day of a nation beyond its statutory calendar."""

    nation = models.ForeignKey(Nation, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "date"], name="closure_unique_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.nation.code} {self.date}: {self.name}"


def calendar_for(nation: Nation, closures: dict | None = None) -> WorkingCalendar:
    """The working calendar of a nation, with its closures read from the database (or given:
    `calendars_for` reads those of many nations at once)."""
    if closures is None:
        closures = dict(Closure.objects.filter(nation=nation).values_list("date", "name"))
    return WorkingCalendar(
        country=nation.holiday_calendar,
        subdiv=nation.holiday_subdivision,
        time_zone=nation.time_zone,
        closures=closures,
    )


def calendars_for(nations) -> dict[int, WorkingCalendar]:
    """The working calendar of each nation by id, their closures read in one query."""
    nations = list(nations)
    closures: dict[int, dict] = {nation.pk: {} for nation in nations}
    rows = Closure.objects.filter(nation__in=nations).values_list("nation_id", "date", "name")
    for nation_id, day, name in rows:
        closures[nation_id][day] = name
    return {nation.pk: calendar_for(nation, closures[nation.pk]) for nation in nations}
