"""The base of every action's form on the request page (`action_forms`, `item_forms`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..transitions import TRANSITIONS


class ActionForm(forms.Form):
    """Base of each action's form; `version` guards against acting on a stale page."""

    action = ""
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, request_row=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        super().__init__(*args, **kwargs)
        self.request_row = request_row
        if request_row is not None and not self.is_bound:
            self.initial.setdefault("version", request_row.version)
        # Required-ness is read from the transition table, the one list of each action's needs.
        requires = TRANSITIONS[self.action].requires
        for name, field in self.fields.items():
            if name != "version":
                field.required = name in requires

    def service_kwargs(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value != ""}


def reason_field(label=None, help_text=""):
    return forms.CharField(
        label=label or _("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )
