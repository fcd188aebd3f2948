"""Forms of the account pages: the second-factor code, recovery code, invitation and API
tokens."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TOKEN_DAYS = 3650


class CodeField(forms.CharField):
    """Digits with any spaces removed: apps show the code as `123 456`."""

    def to_python(self, value) -> str:
        return "".join((super().to_python(value) or "").split())


class CodeForm(forms.Form):
    """The 6-digit code an authenticator app shows."""

    code = CodeField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
        validators=[
            RegexValidator(r"^\d{6}$", _("Enter the 6 digits your authenticator app shows."))
        ],
    )


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes shown when two-factor sign-in was set up."""

    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        validators=[
            RegexValidator(
                r"^\s*[A-Za-z0-9]{4}[- ]?[A-Za-z0-9]{4}\s*$",
                _("Enter one of your recovery codes as printed, e.g. abcd-efgh."),
            )
        ],
    )


class InvitationForm(forms.Form):
    """The invitation code an administrator gave, for people who have no link to follow."""

    invitation = forms.CharField(
        label=_("Invitation code"),
        max_length=40,
        help_text=_("As your administrator gave it, e.g. ABCD-EFGH-JKLM-NPQR."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What will use it, e.g. “MoD case system”."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        help_text=_("Leave empty for a token that lasts until you revoke it."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def expires_at(self, now: dt.datetime | None = None) -> dt.datetime | None:
        days = self.cleaned_data.get("expires_in_days")
        if not days:
            return None
        return (now or timezone.now()) + dt.timedelta(days=days)
