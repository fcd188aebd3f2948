"""Changing an arrangement: every change records who made it, when, and an audit entry.

A posture change (DESIGN §5) is its own service, `set_posture`: it keeps the history, audits
it and sends `posture_changed`, on which `requests_app` recounts the clocks of the pair's
open requests and tells both nations' liaison officers and senior contacts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .accounts import audit
from .models import Arrangement, AuditKind, Posture, PostureChange
from .people import staff_or

# Sent inside set_posture's transaction with `arrangement` and `change`.
posture_changed = Signal()

REASON_MAX = 2000


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


def may_set_posture(user, arrangement: Arrangement) -> bool:
    """Staff, and the senior contacts of either nation of the arrangement (DESIGN §5)."""
    return staff_or(
        user,
        lambda profile: profile.is_senior_contact and profile.nation_id in arrangement.nation_ids,
    )


@transaction.atomic
def set_posture(
    arrangement: Arrangement, posture: str, *, by, reason: str, request=None
) -> PostureChange:
    """Put `arrangement` under `posture`, for `reason`. `by` None: an operator at the shell
    (`manage.py set_posture`); otherwise someone `may_set_posture` allows."""
    if by is not None and not may_set_posture(by, arrangement):
        raise PermissionDenied(_("Only staff and senior contacts of these nations set a posture."))
    reason = (reason or "").strip()
    errors = {}
    if posture not in Posture.values:
        errors["posture"] = [_("Choose peacetime, emergency or armed conflict.")]
    if not reason:
        errors["reason"] = [_("Say why the posture changes: both nations read it.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(max)d characters.") % {"max": REASON_MAX}]
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if not errors and locked.posture == posture:
        errors["posture"] = [
            _("The arrangement is already under %(posture)s.") % {"posture": Posture(posture).label}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    change = PostureChange.objects.create(
        arrangement=locked,
        previous=locked.posture,
        posture=posture,
        reason=reason,
        changed_by=by,
        changed_at=now,
    )
    locked.posture, locked.posture_since = posture, now
    locked.changed_by, locked.changed_at = by, now
    locked.save(update_fields=["posture", "posture_since", "changed_by", "changed_at"])
    audit.record(
        AuditKind.POSTURE_CHANGED,
        request=request,
        actor=by,
        username="" if by is not None else "manage.py",
        detail={
            "arrangement": str(locked),
            "change": change.pk,
            "previous": change.previous,
            "posture": posture,
            "reason": reason,
        },
    )
    posture_changed.send(sender=Arrangement, arrangement=locked, change=change)
    arrangement.posture, arrangement.posture_since = locked.posture, locked.posture_since
    return change
