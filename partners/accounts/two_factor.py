"""Two-factor sign-in with TOTP (django-otp): who must use it, their device, the QR code, and
the recovery codes that stand in for a lost phone.

The rule: liaison officers and reviewers (settings.SOSA_2FA_ROLES), staff and superusers, or
everyone with SOSA_REQUIRE_2FA_FOR_ALL, enrol an authenticator app; anyone who has enrolled gives
a code (or a recovery code, once each) after the password. Enrolment needs an administrator's
invitation (invitations.py). The demo (DEBUG or SOSA_DEMO, and SOSA_DEMO_SKIP_2FA) waives
enrolment and the invitation, never the code.
"""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import TwoFactorInvitation
from ..people import profile_of, user_role
from . import invitations

DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODES = 10


class InvitationGone(Exception):
    """The invitation was used, voided or expired while the person was setting up."""


def demo_skip_active() -> bool:
    return bool((settings.DEBUG or settings.SOSA_DEMO) and settings.SOSA_DEMO_SKIP_2FA)


def required_for(user) -> bool:
    """Whether this user must have a second factor before using the portal."""
    if not user.is_authenticated or demo_skip_active():
        return False
    if settings.SOSA_REQUIRE_2FA_FOR_ALL or user.is_staff or user.is_superuser:
        return True
    return user_role(user) in settings.SOSA_2FA_ROLES


def is_verified(user) -> bool:
    """True once this session passed the code step (set by django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (the same secret across reloads of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm(device: TOTPDevice, code: str, *, invitation: TwoFactorInvitation | None) -> bool:
    """Confirm an enrolling device with a code from the app, using the invitation up (None
    only in the demo); False when the code is wrong, `InvitationGone` when the invitation
    is no longer usable."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(code):
            return False
        if invitation is not None and not invitations.use(invitation):
            raise InvitationGone
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=locked.user_id, confirmed=False).delete()
    device.refresh_from_db()
    return True


def pending_step(user) -> str | None:
    """Where a signed-in user must go before any other page: the code step, enrolment, or
    nowhere (None)."""
    if not user.is_authenticated or is_verified(user):
        return None
    if confirmed_device(user) is not None:
        return reverse("two_factor_verify")
    if required_for(user):
        return reverse("two_factor")
    return None


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def make_recovery_codes(user) -> list[str]:
    """RECOVERY_CODES new single-use codes for `user` in place of any earlier ones; returned
    once, to be shown once (django-otp's static device keeps them to compare)."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
        )
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [grouped_recovery_code(code) for code in codes]


def grouped_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def use_recovery_code(user, code: str) -> StaticDevice | None:
    """The recovery device if `code` is one of `user`'s unused recovery codes, which is then
    used up; else None. The device row is locked, so a code never signs in twice."""
    token = "".join(char for char in code.lower() if char.isalnum())
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None or not device.verify_token(token):
            return None
    return device


def help_address(user) -> str:
    """Where this person writes for help (their nation's help desk, else the portal's)."""
    profile = profile_of(user)
    nation = getattr(profile, "nation", None)
    address = settings.SOSA_HELP_CONTACTS.get(nation.code, "") if nation else ""
    return address or settings.SOSA_HELP_EMAIL


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app expects it typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The enrolment QR code as inline SVG, drawn here (no image service sees the secret)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    svg = image.to_string(encoding="unicode")
    label = format_html(
        '<svg role="img" aria-label="{}" ',
        _("QR code to add the SOSA Portal to your authenticator app"),
    )
    # The markup comes from qrcode, not from user input; only the opening tag is rewritten.
    return mark_safe(svg.replace("<svg ", label, 1))
