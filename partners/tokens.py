"""Issuing and revoking API tokens (the key is returned once and never stored)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ApiToken


def issue_token(user, *, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the key (shown to the user once)."""
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "API token").strip()[:100],
        key_hash=ApiToken.hash_key(key),
        key_hint=key[: len(ApiToken.PREFIX) + 4],
        expires_at=expires_at,
    )
    return token, key


def revoke_token(token: ApiToken, *, now: dt.datetime | None = None) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = now or timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def user_for_key(key: str):
    """The token row for a presented key, if it is usable; None otherwise."""
    return (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
