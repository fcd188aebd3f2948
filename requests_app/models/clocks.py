"""Clocks (one per timed stage, with its ledger) and the escalation levels they reached."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Posture, Supplier

from ..choices import Stage
from .requests import PriorityRequest


class Clock(models.Model):
    """The deadline of one stage, with its ledger of running and paused intervals."""

    request = models.ForeignKey(  # indexed by clock_request_idx
        PriorityRequest, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    stage = models.CharField(max_length=24, choices=Stage.choices)
    # The delivery stage runs one clock per accepted item, to its committed date (DESIGN §4a):
    # the item that is late escalates. None for every other stage.
    item = models.ForeignKey(
        "requests_app.RequestItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clocks",
        db_index=False,
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    explanation = models.TextField(blank=True, max_length=2000)
    # The explanation kept as words, said in each reader's language (`requests_app.explained`);
    # None for a clock written before, whose stored sentence is shown as it is.
    explanation_words = models.JSONField(null=True, blank=True, editable=False)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    level = models.SmallIntegerField(null=True, blank=True, help_text=_("Escalation level reached"))
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining_working_days = models.SmallIntegerField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=32, blank=True)
    # [{"status": "running"|"paused", "from": iso, "to": iso|None, "reason": str, "actor": id}]
    ledger = models.JSONField(default=list, blank=True)
    # The arrangement's posture its due time was counted under (DESIGN §5); "" for a delivery
    # clock, which runs to a committed date in every posture.
    posture = models.CharField(
        max_length=16, choices=Posture, blank=True, default=Posture.PEACETIME
    )
    # The firm the clock waits for (supplier response, delivery): its response ledger.
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "stage"],
                condition=Q(stopped_at__isnull=True, item__isnull=True),
                name="clock_one_open_per_stage",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True, item__isnull=True),
                name="clock_one_running_per_request",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(stopped_at__isnull=True),
                name="clock_one_open_per_item",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_escalation_at"],
                condition=Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_sweep_idx",
            ),
            models.Index(fields=["request", "stage"], name="clock_request_idx"),
            # A firm's response ledger reads its clocks from here.
            models.Index(
                fields=["supplier", "stage", "started_at"],
                condition=Q(supplier__isnull=False),
                name="clock_supplier_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.stage} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def status(self) -> str:
        return clock_status(stopped_at=self.stopped_at, paused_at=self.paused_at)


def clock_status(*, stopped_at, paused_at) -> str:
    if stopped_at:
        return "stopped"
    return "paused" if paused_at else "running"


class Escalation(models.Model):
    """One level of the ladder reached by one clock; recorded once."""

    clock = models.ForeignKey(  # indexed by escalation_once_per_level
        Clock, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    level = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="escalation_once_per_level")
        ]

    def __str__(self) -> str:
        return f"clock {self.clock_id} level {self.level}"
