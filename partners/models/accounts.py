"""API tokens, second-factor invitations and the append-only audit of account-level events."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sosa_portal.lib.models import AppendOnlyModel, AppendOnlyQuerySet


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """An API key of one user. Only its SHA-256 is stored: the key is shown once, at issue."""

    PREFIX = "sosa_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False, help_text=_("First characters"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        # Keys are 256-bit random strings: a plain SHA-256 is enough (no dictionary to guess).
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class TwoFactorInvitationQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, voided_at__isnull=True, expires_at__gt=now)


class TwoFactorInvitation(models.Model):
    """An administrator's leave for one person to enrol a second factor (pen-test finding 7):
    single use, expiring, void once a newer one is issued or the factor is reset. Only the
    code's SHA-256 is stored; the code is shown once, to whoever issued it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_invitations"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when issued from the command line"),
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, help_text=_("When a device was set up"))
    voided_at = models.DateTimeField(null=True, blank=True)

    objects = TwoFactorInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "second-factor invitation"
        constraints = [
            # Issuing voids the older ones: one open invitation per person at most.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, voided_at__isnull=True),
                name="one_open_2fa_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def hash_code(code: str) -> str:
        # Codes are 80-bit random strings, valid for days: a plain SHA-256 is enough.
        return hashlib.sha256(code.encode()).hexdigest()

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.voided_at:
            return "void"
        return "expired" if self.expires_at <= timezone.now() else "open"


class AuditKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor enrolled")
    TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-factor disabled")
    TWO_FACTOR_INVITED = "2fa_invited", _("Two-factor invitation issued")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor reset by an administrator")
    RECOVERY_CODES_MADE = "2fa_recovery_made", _("Recovery codes made")
    RECOVERY_CODE_USED = "2fa_recovery_used", _("Signed in with a recovery code")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    ARRANGEMENT_CHANGED = "arrangement_changed", _("Arrangement changed")
    POSTURE_CHANGED = "posture_changed", _("Posture changed")
    SIGNATURE_WITHDRAWN = "signature_withdrawn", _("Code of Conduct signature withdrawn")


class AuditEntry(AppendOnlyModel):
    """Append-only record of an account-level event (request actions are `Event`s).

    Written by `partners.accounts.audit`; the actor is empty when nobody signed in (a failed
    sign-in).
    """

    kind = models.CharField(max_length=24, choices=AuditKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    username = models.CharField(max_length=150, blank=True, help_text=_("The user name tried"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["created_at"], name="audit_created_idx"),
            models.Index(fields=["kind", "created_at"], name="audit_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
