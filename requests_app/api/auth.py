"""`Authorization: Token <key>` against hashed, revocable, expiring API tokens."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from partners.accounts.tokens import user_for_key
from partners.accounts.two_factor import pending_step
from partners.models import ApiToken

# Write last_used_at at most this often, not on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the header as 'Token <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = user_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid, expired or revoked.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword  # makes DRF answer 401 (not 403) without credentials


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, once it has passed the second factor where one is owed.

    Whatever `Authorization` header comes with it: only a token that authenticated (above)
    skips the step, never a header that merely exists.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and pending_step(result[0]) is not None:
            raise exceptions.PermissionDenied(_("Finish signing in with your second factor first."))
        return result


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = HashedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; issue keys at /account/tokens/ or with "
            "`manage.py issue_token`.",
        }


class VerifiedSessionScheme(SessionScheme):
    # drf-spectacular takes the class itself or its dotted path; its stub knows only the path.
    target_class = "requests_app.api.auth.VerifiedSessionAuthentication"
