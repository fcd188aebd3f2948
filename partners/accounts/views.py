"""Account pages (DESIGN §8): sign-in, sign-out, passwords, API tokens (the second-factor
pages are in two_factor_views.py)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n

from sosa_portal.lib.redirects import safe_next

from ..models import ApiToken
from ..people import profile_of, remember_language
from . import audit, throttles, two_factor
from .forms import TokenForm
from .tokens import TooManyTokens, issue_token, revoke_token


def set_language(request):
    """The language switch of every page: Django's `set_language` (a cookie, back to the page),
    and for a signed-in person also the language of their e-mails and notices, kept on their
    profile so that the outbox writes to them in it."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language", ""))
    return response


def set_language_cookie(response, language: str) -> None:
    """The cookie Django's `set_language` sets."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SignInView(auth_views.LoginView):
    """Django's login (username + password, with the request for the lock-out check), then
    straight on to the second factor when this user owes one. An address that failed too
    often lately (password spraying over many user names) is refused before any password is
    checked; its own legitimate users wait the window out, nobody else is affected."""

    def post(self, request, *args, **kwargs):
        address = audit.client_address(request) or "unknown"
        limit = throttles.sign_in_from_address()
        if limit.exceeded(address):
            return render(
                request,
                "registration/login.html",
                {
                    "form": AuthenticationForm(request),
                    "address_limited": True,
                    "window_minutes": limit.window_seconds // 60,
                    "next": safe_next(request, default=""),
                },
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttles.sign_in_from_address().count(audit.client_address(self.request) or "unknown")
        minutes = lock_ahead_minutes(self.request, form.data.get("username", ""))
        return self.render_to_response(self.get_context_data(form=form, lock_ahead=minutes))

    def form_valid(self, form):
        response = super().form_valid(form)
        step = two_factor.pending_step(self.request.user)
        target = self.get_success_url()
        # An invitation link followed before signing in leads on to itself, not past it.
        if step is not None and not target.startswith(reverse("two_factor")):
            response = redirect_to_login(target, step)
        # A browser that never chose a language takes the one the person last chose elsewhere.
        profile = profile_of(self.request.user)
        language = profile.language if profile is not None else ""
        if language and settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES:
            set_language_cookie(response, language)
        return response


def lock_ahead_minutes(request, username: str) -> int | None:
    """After a failed sign-in: the minutes of the lock-out one more failure of this user name
    from this address would bring (django-axes counts them, known user name or not), else None."""
    credentials = get_credentials(username)
    failures = AxesProxyHandler.get_failures(request, credentials)
    cool_off = get_cool_off(request)
    if cool_off is None or failures != get_failure_limit(request, credentials) - 1:
        return None
    return max(1, int(cool_off.total_seconds() // 60))


class SignOutView(auth_views.LogoutView):
    """Django's sign-out (a POST), then the sign-in page saying so (LOGOUT_REDIRECT_URL)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with a limit on the mails: a few per address asked for, a few more per
    asking address, per hour. Over it the page answers as always (nothing tells whether an
    address exists or was limited) but sends nothing."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        address = audit.client_address(self.request) or "unknown"
        per_email, per_address = (
            throttles.reset_mails_to_address(),
            throttles.reset_mails_from_address(),
        )
        if per_email.exceeded(email) or per_address.exceeded(address):
            return redirect(self.get_success_url())
        per_email.count(email)
        per_address.count(address)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; a new password also revokes every API token of the account (whoever reset it
    because the password leaked would not want the keys made with it to go on working)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        for token in ApiToken.objects.usable().filter(user=form.user):
            revoke_token(token, by=form.user, request=self.request, via="password reset")
        return response


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows once a user name + address is locked: the sign-in page, saying so."""
    username = (credentials or {}).get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": True,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": safe_next(request, default=""),
    }
    return render(request, "registration/login.html", context, status=429)


@login_required
def tokens(request):
    """The user's API tokens; a new key is shown once, in the answer to the form that made it."""
    form = TokenForm(request.POST or None)
    new_token = new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = issue_token(
                request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                by=request.user,
                request=request,
            )
            form = TokenForm()
        except TooManyTokens as refused:
            form.add_error(None, str(refused))
    context = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id"),
        "new_token": new_token,
        "new_key": new_key,
        "now": timezone.now(),
    }
    return render(request, "partners/tokens.html", context)


@login_required
def token_revoke(request, token_id: int):
    """Confirm (GET) and revoke (POST) one of the user's own tokens; anyone else's is a 404."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method == "POST":
        if token.revoked_at is None:
            revoke_token(token, by=request.user, request=request)
            messages.success(
                request,
                _("Token “%(name)s” is revoked: it no longer works.") % {"name": token.name},
            )
        return redirect("tokens")
    return render(request, "partners/token_revoke.html", {"token": token})
