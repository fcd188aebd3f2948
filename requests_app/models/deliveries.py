"""What arrived of an item (DESIGN §4a): one row per delivery; partial deliveries add up to the
item's `quantity_delivered`, which `services.deliveries` keeps under the request's row lock."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..choices import ItemResponse
from .requests import RequestItem


class Delivery(models.Model):
    item = models.ForeignKey(RequestItem, on_delete=models.CASCADE, related_name="deliveries")
    quantity = models.PositiveIntegerField()
    delivered_on = models.DateField()
    # None for deliveries carried over from before items were delivered one by one.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["delivered_on", "id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="delivery_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of item {self.item_id} on {self.delivered_on}"


def delivery_progress(items) -> dict:
    """ "2 of 3 items delivered": accepted items delivered in full, of the accepted items (DESIGN
    §4a); items as dicts or model instances."""
    accepted = delivered = 0
    for item in items:
        values = item if isinstance(item, dict) else vars(item)
        if values["response"] == ItemResponse.ACCEPTED:
            accepted += 1
            delivered += int(values["quantity_delivered"] >= values["quantity"])
    return {"items_delivered": delivered, "items_accepted": accepted}
