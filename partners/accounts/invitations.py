"""Second-factor invitations and resets (pen-test finding 7): who may set up an authenticator
app is decided by an administrator, not by whoever first learns a password.

An administrator issues an invitation (admin action or `manage.py invite_2fa`): a random code,
shown once as a link and as text, stored only as a hash, single use, valid for
SOSA_2FA_INVITE_HOURS; a new one voids the older ones. The person opens the link (or types the
code) after signing in with the password; only a session holding a usable invitation sees a
secret, and setting up the device uses the invitation up. A reset removes a person's devices
and open invitations; both are audited.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import AuditKind, TwoFactorInvitation
from . import audit

SESSION_KEY = "_sosa_2fa_invitation"
CODE_BYTES = 10  # 80 bits: 16 base32 characters


class AlreadyEnrolled(ValueError):
    """The person already has an authenticator app: reset it before inviting them again."""

    def __init__(self, user):
        super().__init__(
            f"{user.get_username()} already has two-factor sign-in: reset it first to let "
            "them set up a new device."
        )


def normalise(code: str) -> str:
    """The code as stored: letters and digits only, upper case (people type `abcd-efgh …`)."""
    return re.sub(r"[^A-Za-z0-9]", "", code or "").upper()


def grouped(code: str) -> str:
    """The code as shown to people: groups of four, `ABCD-EFGH-JKLM-NPQR`."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def invite_path(code: str) -> str:
    return reverse("two_factor_invite", args=[normalise(code)])


def issue_invitation(
    user, *, by=None, request=None, via: str = "", now: dt.datetime | None = None
) -> tuple[TwoFactorInvitation, str]:
    """A new invitation for `user`; returns the row and the code (shown once, to the issuer).

    Voids the person's older invitations and forgets any device they began to set up (its
    secret may have been seen by someone else). Raises `AlreadyEnrolled` when they have one."""
    now = now or timezone.now()
    code = b32encode(secrets.token_bytes(CODE_BYTES)).decode()
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise AlreadyEnrolled(user)
        voided = _void_open(user, now)
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        invitation = TwoFactorInvitation.objects.create(
            user=user,
            issued_by=by,
            code_hash=TwoFactorInvitation.hash_code(code),
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.SOSA_2FA_INVITE_HOURS),
        )
        detail = {"invitation": invitation.pk, "expires_at": invitation.expires_at.isoformat()}
        detail["invitations_voided"] = voided
        _audit(AuditKind.TWO_FACTOR_INVITED, user, by=by, request=request, via=via, detail=detail)
    return invitation, code


def reset_second_factor(user, *, by, request=None, via: str = "") -> int:
    """Remove `user`'s authenticator apps and recovery codes and void their open invitations:
    they sign in with the password alone until a new invitation lets them set up a device
    (and where their role requires one, they reach no page before that). Returns the number
    of devices removed; always audited."""
    now = timezone.now()
    with transaction.atomic():
        # Counted by model: a queryset's delete() also counts the recovery codes it cascades to.
        apps = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
        recovery = (
            StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
        )
        voided = _void_open(user, now)
        _audit(
            AuditKind.TWO_FACTOR_RESET,
            user,
            by=by,
            request=request,
            via=via,
            detail={"devices_removed": apps + recovery, "invitations_voided": voided},
        )
    return apps + recovery


def find_usable(user, code: str, *, now: dt.datetime | None = None) -> TwoFactorInvitation | None:
    """`user`'s usable invitation with this code, else None (someone else's code is no code)."""
    code = normalise(code)
    if not code:
        return None
    return (
        TwoFactorInvitation.objects.usable(now)
        .filter(user=user, code_hash=TwoFactorInvitation.hash_code(code))
        .first()
    )


def hold(request, invitation: TwoFactorInvitation) -> None:
    """This session may now set up a device (until the invitation is used, void or expired)."""
    request.session[SESSION_KEY] = invitation.pk


def held(request) -> TwoFactorInvitation | None:
    """The usable invitation this session holds for its signed-in user, else None."""
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    return TwoFactorInvitation.objects.usable().filter(pk=pk, user_id=request.user.pk).first()


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def use(invitation: TwoFactorInvitation, *, now: dt.datetime | None = None) -> bool:
    """Mark the invitation used, once: False when it was used, voided or expired meanwhile
    (a conditional UPDATE, so two sessions never both use it)."""
    now = now or timezone.now()
    claimed = TwoFactorInvitation.objects.usable(now).filter(pk=invitation.pk).update(used_at=now)
    return claimed == 1


def _void_open(user, now: dt.datetime) -> int:
    return TwoFactorInvitation.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now)


def _audit(kind: str, user, *, by, request, via: str, detail: dict) -> None:
    detail = {"user": user.get_username(), **detail}
    if via:
        detail["via"] = via
    username = "" if by is not None else user.get_username()
    user_agent = via if request is None and via else None
    audit.record(
        kind, request=request, actor=by, username=username, user_agent=user_agent, detail=detail
    )
