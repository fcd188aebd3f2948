"""What a page calls a field a service names in a refusal (issue 16, point 10)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# What a page calls a field a service names in a refusal when no form field of the page shows
# it (the form's own fields carry their labels): "Assignee: …", in the page's language.
FIELD_LABELS = {
    "assignee": gettext_lazy("Assignee"),
    "committed_delivery_date": gettext_lazy("Committed delivery date"),
    "file": gettext_lazy("File"),
    "item": gettext_lazy("Item"),
    "items": gettext_lazy("Items"),
    "language": gettext_lazy("Language"),
    "posture": gettext_lazy("Posture"),
    "quantity": gettext_lazy("Quantity"),
    "rating": gettext_lazy("Rating"),
    "reason": gettext_lazy("Reason"),
    "reference": gettext_lazy("Reference"),
    "required_delivery_date": gettext_lazy("Required delivery date"),
    "responding_nation": gettext_lazy("Nation asked for help"),
    "supplier": gettext_lazy("Supplier"),
    "title": gettext_lazy("Title"),
    "urgency": gettext_lazy("Urgency"),
    "url": gettext_lazy("URL"),
}


def labelled(field: str, message: str) -> str:
    """A refusal of one field as a line on the page: "Supplier: …" ("detail" and "state" are
    about the whole request: the message alone)."""
    if field in ("detail", "state"):
        return message
    return f"{FIELD_LABELS.get(field) or field.replace('_', ' ')}: {message}"
