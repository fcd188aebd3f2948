"""Show times in the signed-in person's time zone (their own, else their nation's); keep
people who owe a second factor on the two-factor pages until they have given it; keep a
session alive while it is used, without writing it on every request."""

import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.cache import patch_cache_control

from ..people import profile_of
from .two_factor import pending_step


class SlidingSessionMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without a request (DESIGN §8): a session is saved
    again, renewing its expiry and its cookie, once its last renewal is older than
    SOSA_SESSION_RENEW_SECONDS. The idle timeout slides at that resolution, for one write a
    minute instead of one per request (SESSION_SAVE_EVERY_REQUEST).
    """

    RENEWED_AT = "_sosa_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None:  # no cookie, nothing to renew (and no query)
            renewed_at = session.get(self.RENEWED_AT)
            now = int(time.time())
            stale = renewed_at is None or now - renewed_at >= settings.SOSA_SESSION_RENEW_SECONDS
            if stale and session.keys():  # an expired or unknown key loads as empty: leave it
                session[self.RENEWED_AT] = now
        return self.get_response(request)


class UserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = profile_of(user)
            zone = profile.effective_time_zone if profile else None
        if zone:
            timezone.activate(ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class TwoFactorMiddleware:
    """A signed-in user who owes the code step or enrolment reaches no other page (DESIGN §8).

    Exempt: sign-in and sign-out, the two-factor pages, /help/ (the same for everyone, and
    wanted most by someone stuck at the second step), static files, /healthz, /metrics, the
    language switch, and the API, which authenticates every call itself and refuses a session
    that has not passed the second factor (whatever header it carries).
    """

    EXEMPT_PREFIXES = (
        "/accounts/login/",
        "/accounts/logout/",
        "/account/two-factor/",
        "/help/",
        "/healthz",
        "/metrics",  # its own rule: allowed networks or a token (sosa_portal/metrics.py)
        "/i18n/",  # the language switch: a cookie, usable at the code step too
        "/favicon.ico",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        static = "/" + settings.STATIC_URL.lstrip("/")
        self.exempt = (*self.EXEMPT_PREFIXES, static)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.exempt):
            step = pending_step(user)
            if step is not None:
                if request.path.startswith("/api/"):
                    # The API decides: a token that authenticates passes, a session that owes
                    # the step is refused (api.auth.VerifiedSessionAuthentication). A header
                    # that merely exists decides nothing.
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path(), step)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """What a signed-in person (or an API token) was shown is never kept by a browser's or a
    proxy's cache: `Cache-Control: no-store` on every such answer that set no policy itself.
    Static files and the health check (no user) keep theirs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # DRF authenticates tokens in the view: its user is on the view's request, not here.
        signed_in = bool(user and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if signed_in and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
