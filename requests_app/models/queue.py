"""What a person keeps of the queue: requests they watch, and views of it they saved (issue 16
point 2). Both belong to one person; nobody else reads them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .requests import PriorityRequest


class Watch(models.Model):
    """A person follows a request: it appears under "Watching" in their queue."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches", db_index=False
    )
    request = models.ForeignKey(PriorityRequest, on_delete=models.CASCADE, related_name="watches")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "request"], name="watch_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.request_id}"


class SavedView(models.Model):
    """A named queue query (filters, view and sort), saved by the officer who uses it."""

    MAX_PER_PERSON = 20

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name
