"""The second-factor pages (DESIGN §8): the code step after the password (or a recovery code),
enrolment with an administrator's invitation, recovery codes, turning it off.

A session that gave only the password never sees a secret unless it holds a usable invitation
(pen-test finding 7); the demo (two_factor.demo_skip_active) waives the invitation.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosa_portal.lib.redirects import safe_next

from ..models import AuditKind, TwoFactorInvitation
from . import audit, invitations, two_factor
from .forms import CodeForm, InvitationForm, RecoveryCodeForm

WRONG_CODE = gettext_lazy(
    "That code is not right. Use the current code of the SOSA Portal entry in your app, and "
    "check that your phone's clock is set automatically."
)
WRONG_RECOVERY_CODE = gettext_lazy(
    "That recovery code is not right, or it was used before: each code works once."
)
INVITATION_NOT_VALID = gettext_lazy(
    "This invitation cannot be used: it was used already, has expired, was replaced by a newer "
    "one, or is for another account. Ask your administrator for a new one."
)


def _refusal(device: Device) -> str | None:
    """Why no code may be tried right now (too many wrong ones), or None."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (info or {}).get("locked_until")
    seconds = (
        max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
    )
    return _("Too many wrong codes. Wait %(seconds)s seconds and try again.") % {"seconds": seconds}


def _signed_in_with(request, device: Device) -> None:
    django_otp.login(request, device)
    request.session.cycle_key()  # a new session id for the now fully signed-in session


@login_required
def two_factor_verify(request):
    """The code step after the password, for anyone with a confirmed device: a code from the
    app, or one of the recovery codes."""
    user, target = request.user, safe_next(request)
    if two_factor.is_verified(user):
        return redirect(target)
    device = two_factor.confirmed_device(user)
    if device is None:
        if two_factor.required_for(user):
            return redirect_to_login(target, reverse("two_factor"))
        return redirect(target)
    recovering = request.method == "POST" and "recovery_code" in request.POST
    form = CodeForm(request.POST if request.method == "POST" and not recovering else None)
    recovery_form = RecoveryCodeForm(request.POST if recovering else None)
    if recovering and recovery_form.is_valid():
        if _signed_in_with_recovery_code(request, recovery_form):
            return redirect(target)
    elif form.is_bound and form.is_valid():
        refusal = _refusal(device)
        if refusal:
            form.add_error("code", refusal)
        else:
            verified = django_otp.verify_token(
                user, device.persistent_id, form.cleaned_data["code"]
            )
            if verified is not None:
                _signed_in_with(request, verified)
                return redirect(target)
            form.add_error("code", WRONG_CODE)
    context = {"form": form, "recovery_form": recovery_form, "next": target}
    return render(request, "registration/two_factor_verify.html", context)


def _signed_in_with_recovery_code(request, form: RecoveryCodeForm) -> bool:
    user = request.user
    device = two_factor.recovery_device(user)
    refusal = _refusal(device) if device is not None else None
    if refusal:
        form.add_error("recovery_code", refusal)
        return False
    used = two_factor.use_recovery_code(user, form.cleaned_data["recovery_code"])
    if used is None:
        form.add_error("recovery_code", WRONG_RECOVERY_CODE)
        return False
    _signed_in_with(request, used)
    left = two_factor.recovery_codes_left(user)
    audit.record(
        AuditKind.RECOVERY_CODE_USED, request=request, actor=user, detail={"codes_left": left}
    )
    messages.warning(
        request,
        ngettext(
            "You signed in with a recovery code; it will not work again. %(left)s code is "
            "left. Lost your phone? Ask an administrator to reset your two-factor sign-in.",
            "You signed in with a recovery code; it will not work again. %(left)s codes are "
            "left. Lost your phone? Ask an administrator to reset your two-factor sign-in.",
            left,
        )
        % {"left": left},
    )
    return True


@login_required
def two_factor_setup(request):
    """Enrol an authenticator app (QR code drawn here, secret in text) with an invitation, or
    show that it is on."""
    user = request.user
    device = two_factor.confirmed_device(user)
    if device is not None:
        if not two_factor.is_verified(user):
            return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"))
        context = {
            "device": device,
            "may_disable": not two_factor.required_for(user),
            "codes_left": two_factor.recovery_codes_left(user),
        }
        return render(request, "partners/two_factor_status.html", context)

    invitation = invitations.held(request)
    if invitation is None and not two_factor.demo_skip_active():
        # No secret for the password alone: whoever learnt it first would bind the factor.
        return _invitation_needed(request, status=403 if request.method == "POST" else 200)
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = _refusal(device)
        if refusal:
            form.add_error("code", refusal)
        else:
            try:
                confirmed = two_factor.confirm(
                    device, form.cleaned_data["code"], invitation=invitation
                )
            except two_factor.InvitationGone:
                invitations.forget(request)
                return _invitation_needed(request, error=INVITATION_NOT_VALID)
            if confirmed:
                return _enrolled(request, device, invitation)
            form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.required_for(user),
        "demo_skip": two_factor.demo_skip_active(),
        "invitation": invitation,
        "next": safe_next(request, default=""),
    }
    return render(request, "partners/two_factor_enrol.html", context)


def _enrolled(request, device: TOTPDevice, invitation: TwoFactorInvitation | None):
    """Signed in with the new device; the recovery codes, shown in this answer only."""
    user = request.user
    _signed_in_with(request, device)
    invitations.forget(request)
    codes = two_factor.make_recovery_codes(user)
    detail: dict = {"recovery_codes": len(codes)}
    if invitation is not None:
        issuer = invitation.issued_by.get_username() if invitation.issued_by else "command line"
        detail |= {"invitation": invitation.pk, "issued_by": issuer}
    audit.record(AuditKind.TWO_FACTOR_ENROLLED, request=request, actor=user, detail=detail)
    done = _("Two-factor sign-in is on. You will be asked for a code each time you sign in.")
    context = {"codes": codes, "next": safe_next(request), "done": done, "enrolled": True}
    return render(request, "partners/recovery_codes.html", context)


def _invitation_needed(request, *, error=None, form=None, status: int = 200):
    """The page for someone with no usable invitation: whom to ask, and where to type a code."""
    user = request.user
    context = {
        "required": two_factor.required_for(user),
        "help_address": two_factor.help_address(user),
        "invite_hours": settings.SOSA_2FA_INVITE_HOURS,
        "form": form or InvitationForm(),
        "error": error,
        "next": safe_next(request, default=""),
    }
    return render(request, "partners/two_factor_invitation_needed.html", context, status=status)


@login_required
def two_factor_invite(request, code: str | None = None):
    """An invitation link (GET, the code in the path) or a typed code (POST): when it is this
    person's and usable, this session may set up a device; nothing is used up yet."""
    if two_factor.confirmed_device(request.user) is not None:
        messages.info(request, _("You already have two-factor sign-in: no invitation is needed."))
        return redirect("two_factor")
    form = None
    if code is None:
        if request.method != "POST":
            return redirect("two_factor")
        form = InvitationForm(request.POST)
        code = form.cleaned_data["invitation"] if form.is_valid() else ""
    invitation = invitations.find_usable(request.user, code)
    if invitation is None:
        if form is None:
            return _invitation_needed(request, error=INVITATION_NOT_VALID)
        if form.is_valid():
            form.add_error("invitation", INVITATION_NOT_VALID)
        return _invitation_needed(request, form=form)
    invitations.hold(request, invitation)
    target, after = reverse("two_factor"), safe_next(request, default="")
    return redirect(f"{target}?{urlencode({'next': after})}" if after else target)


@require_POST
@login_required
def recovery_codes(request):
    """New recovery codes in place of the old ones, for a session that passed the second
    factor; shown in this answer only."""
    user = request.user
    if two_factor.confirmed_device(user) is None:
        return redirect("two_factor")
    if not two_factor.is_verified(user):
        return redirect_to_login(reverse("two_factor"), reverse("two_factor_verify"))
    codes = two_factor.make_recovery_codes(user)
    audit.record(
        AuditKind.RECOVERY_CODES_MADE, request=request, actor=user, detail={"count": len(codes)}
    )
    done = _("New recovery codes are made: the old ones no longer work.")
    context = {"codes": codes, "next": reverse("two_factor"), "done": done, "enrolled": False}
    return render(request, "partners/recovery_codes.html", context)


@require_POST
@login_required
def two_factor_disable(request):
    """Turn two-factor off, for people whose role does not require it."""
    user = request.user
    if not two_factor.is_verified(user):
        return redirect_to_login(reverse("two_factor"), reverse("two_factor_verify"))
    if two_factor.required_for(user):
        messages.error(request, _("Your role requires two-factor sign-in; it stays on."))
    else:
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(AuditKind.TWO_FACTOR_DISABLED, request=request, actor=user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor")
