"""Issuing and revoking API tokens (the key is returned once and never stored)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import ApiToken, AuditKind
from . import audit


class TooManyTokens(ValueError):
    """The person already holds as many usable tokens as one person may
    (`SOSA_MAX_TOKENS_PER_USER`)."""

    def __init__(self, limit: int):
        super().__init__(
            f"You already hold {limit} usable API tokens, the most one person may: "
            "revoke one you no longer use first."
        )


def issue_token(
    user,
    *,
    name: str,
    expires_at: dt.datetime | None = None,
    by=None,
    request=None,
    via: str = "",
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the key (shown to the user once).

    An audit entry records who made it (`by`, default the owner), from which address (`request`)
    or by which path (`via`, e.g. "command line"). Raises `TooManyTokens` at the cap."""
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    limit = settings.SOSA_MAX_TOKENS_PER_USER
    with transaction.atomic():
        if ApiToken.objects.usable().filter(user=user).count() >= limit:
            raise TooManyTokens(limit)
        token = ApiToken.objects.create(
            user=user,
            name=(name or "API token").strip()[:100],
            key_hash=ApiToken.hash_key(key),
            key_hint=key[: len(ApiToken.PREFIX) + 4],
            expires_at=expires_at,
        )
        _audit(AuditKind.TOKEN_CREATED, token, by=by, request=request, via=via)
    return token, key


def revoke_token(
    token: ApiToken, *, now: dt.datetime | None = None, by=None, request=None, via: str = ""
) -> ApiToken:
    """Revoke `token` (once: revoking a revoked token changes and records nothing)."""
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = now or timezone.now()
            token.save(update_fields=["revoked_at"])
            _audit(AuditKind.TOKEN_REVOKED, token, by=by, request=request, via=via)
    return token


def rotate_token(
    token: ApiToken,
    *,
    expires_at: dt.datetime | None,
    by=None,
    request=None,
    via: str = "",
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new key in place of `token` (same name), which is revoked in the same transaction:
    from the answer on, only the new key works. Returns the new row and its key."""
    with transaction.atomic():
        revoke_token(token, now=now, by=by, request=request, via=via)
        return issue_token(
            token.user, name=token.name, expires_at=expires_at, by=by, request=request, via=via
        )


def _audit(kind: str, token: ApiToken, *, by, request, via: str) -> None:

    detail = {"token_id": token.pk, "token_name": token.name, "key_hint": token.key_hint}
    detail |= {"owner": token.user.get_username()}
    if via:
        detail["via"] = via
    actor = by if by is not None else token.user
    user_agent = via if request is None and via else None
    audit.record(kind, request=request, actor=actor, user_agent=user_agent, detail=detail)


def user_for_key(key: str):
    """The token row for a presented key, if it is usable; None otherwise."""
    return (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
