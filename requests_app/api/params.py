"""Query parameters every API read shares, checked once: a page size and a true/false flag.
A bad value is a 400 naming the parameter (never a 500, never silently ignored)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from ..queries.lists import StrictBooleanField


def page_size(params, *, default: int, maximum: int) -> int:
    """`page_size`: ASCII digits from 1 to `maximum` (`²` passes str.isdigit, not int())."""
    raw = params.get("page_size")
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise ValidationError({"page_size": [f"Enter a whole number from 1 to {maximum}."]})
    return int(raw)


def flag(params, name: str) -> bool | None:
    """A true/false parameter, like the list's `overdue` (None when absent)."""
    try:
        return StrictBooleanField().clean(params.get(name))
    except DjangoValidationError as invalid:
        raise ValidationError({name: invalid.messages}) from None
