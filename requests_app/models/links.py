"""Typed links between requests (DESIGN §4a): a follow-on request `split_from` the one whose
rejected items it carries on, or one request `related` to or a `duplicate_of` another. A
viewer sees a link only where it may see the request at the other end (queries.links)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .requests import PriorityRequest


class LinkKind(models.TextChoices):
    SPLIT_FROM = "split_from", _("Split from")
    RELATED = "related", _("Related to")
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")


class RequestLink(models.Model):
    source = models.ForeignKey(
        PriorityRequest, on_delete=models.CASCADE, related_name="links_out", db_index=False
    )
    target = models.ForeignKey(PriorityRequest, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "kind"], name="request_link_once_per_kind"
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="request_link_not_to_itself"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LinkKind.values), name="request_link_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
