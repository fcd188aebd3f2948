"""Changing an arrangement: every change records who made it, when, and an audit entry."""

from __future__ import annotations

from django.utils import timezone

from .accounts import audit
from .models import Arrangement, AuditKind


def save_arrangement(
    arrangement: Arrangement, *, by, fields: list[str], created: bool, request=None
) -> Arrangement:
    """Save `arrangement` as changed by `by` now, and append the audit entry of the change."""
    arrangement.changed_by, arrangement.changed_at = by, timezone.now()
    arrangement.save()
    audit.record(
        AuditKind.ARRANGEMENT_CHANGED,
        request=request,
        actor=by,
        detail={
            "arrangement": str(arrangement),
            "created": created,
            "fields": sorted(fields),
            "status": arrangement.status,
            "posture": arrangement.posture,
        },
    )
    return arrangement
