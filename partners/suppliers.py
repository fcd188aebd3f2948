"""The Code of Conduct record of a firm (DESIGN §3): who may withdraw its signature, and the
withdrawal itself (audited). A withdrawn firm cannot be forwarded new requests; the requests
it already holds stay with it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .accounts import audit
from .models import AuditKind, Role, Supplier
from .people import staff_or, user_role

REASON_MAX = 2000


def may_withdraw(user, supplier: Supplier) -> bool:
    """Staff, and the liaison officers of the firm's own nation."""
    return staff_or(
        user,
        lambda profile: profile.nation_id == supplier.nation_id and user_role(user) == Role.LIAISON,
    )


@transaction.atomic
def withdraw_signature(supplier: Supplier, *, by, reason: str, request=None) -> Supplier:
    """Record that `supplier` no longer adheres to its nation's Code of Conduct, from today
    (the nation's date), with `reason`."""
    if not may_withdraw(by, supplier):
        raise PermissionDenied(_("Only staff and the firm's own liaison officers withdraw it."))
    locked = Supplier.objects.select_for_update().select_related("nation").get(pk=supplier.pk)
    reason = (reason or "").strip()
    errors = {}
    if locked.code_of_conduct_signed_on is None:
        errors["supplier"] = [_("This firm never signed the Code of Conduct.")]
    elif locked.code_of_conduct_withdrawn_on is not None:
        errors["supplier"] = [_("This firm's signature is already withdrawn.")]
    if not reason:
        errors["reason"] = [_("Say why the signature is withdrawn.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("At most %(max)d characters.") % {"max": REASON_MAX}]
    if errors:
        raise ValidationError(errors)
    locked.code_of_conduct_withdrawn_on = timezone.localdate(
        timezone=ZoneInfo(locked.nation.time_zone)
    )
    locked.code_of_conduct_withdrawal_reason = reason
    locked.code_of_conduct_withdrawn_by = by
    locked.save(
        update_fields=[
            "code_of_conduct_withdrawn_on",
            "code_of_conduct_withdrawal_reason",
            "code_of_conduct_withdrawn_by",
        ]
    )
    audit.record(
        AuditKind.SIGNATURE_WITHDRAWN,
        request=request,
        actor=by,
        detail={
            "supplier": locked.pk,
            "name": locked.name,
            "cage_code": locked.cage_code,
            "nation": locked.nation.code,
            "withdrawn_on": locked.code_of_conduct_withdrawn_on.isoformat(),
            "reason": reason,
        },
    )
    supplier.code_of_conduct_withdrawn_on = locked.code_of_conduct_withdrawn_on
    return locked
