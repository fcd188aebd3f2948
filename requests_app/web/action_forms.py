"""The small form of each action of DESIGN §4 on the request page.

Field names are those of the API's action bodies (`api.action_bodies.ACTION_SERIALIZERS`) and of the
service functions' keyword arguments; which fields an action needs is read from `TRANSITIONS`.
The pickers offer what the rules allow: `assignable_people` and `eligible_suppliers`.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from partners.models import Supplier

from ..deadlines import days_late, needed_by
from ..models import PROGRAM_SYMBOL_CHOICES, Rating, Route
from ..permissions import assignable_people, eligible_suppliers
from ..transitions import TRANSITIONS
from .forms import DateInput, person_label


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


def _reason_field(label=None, help_text=""):
    return forms.CharField(
        label=label or _("Reason"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class SubmitForm(ActionForm):
    action = "submit"


class QuestionForm(ActionForm):
    action = "request_info"
    question = _reason_field(
        _("Your question to the requester"),
        _("Shared with the requesting nation. The deadline pauses until they answer."),
    )


class AnswerForm(ActionForm):
    action = "answer"
    answer = _reason_field(_("Your answer"), _("The paused deadline resumes when you answer."))


class TriageForm(ActionForm):
    action = "triage"
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=get_user_model().objects.none(),  # assignable_people(…), set below
        empty_label=_("Choose a reviewer or liaison officer"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request_row is not None:
            self.fields["assignee"].queryset = assignable_people(
                self.request_row.responding_nation_id
            )
        self.fields["assignee"].label_from_instance = person_label


class EndorseForm(ActionForm):
    action = "endorse"
    note = _reason_field(
        _("Endorsement"),
        _("Why your nation supports the request. The partner nation sees it from now on."),
    )


# A foreign government's request is usually G2 or G3: those come first, then the rest.
FOREIGN_SYMBOLS = ("G2", "G3")
SYMBOL_CHOICES = [
    (
        _("Usual for a foreign government"),
        [c for c in PROGRAM_SYMBOL_CHOICES if c[0] in FOREIGN_SYMBOLS],
    ),
    (
        _("All DPAS Schedule I symbols"),
        [c for c in PROGRAM_SYMBOL_CHOICES if c[0] not in FOREIGN_SYMBOLS],
    ),
]
SYMBOL_HELP = _(
    "G2: the direct defence needs of a foreign government (most requests); G3: foreign "
    "production and construction. Other symbols name the US program the item supports."
)
RATING_HELP = _("DX: highest national urgency, goes before DO; both go before unrated orders.")


def _rating_field(label):
    return forms.ChoiceField(
        label=label,
        choices=[("", _("Choose DO or DX")), *list(Rating.choices)],
        help_text=RATING_HELP,
    )


def _symbol_field(**extra):
    return forms.ChoiceField(
        label=_("Program identification symbol"),
        choices=[("", _("Choose a symbol")), *SYMBOL_CHOICES],
        help_text=SYMBOL_HELP,
        **extra,
    )


class DetermineForm(ActionForm):
    action = "determine"
    rating = _rating_field(_("Recommended rating"))
    program_symbol = _symbol_field(initial="G2")
    note = _reason_field(
        _("Program determination"), _("Why the item supports an approved program.")
    )
    dod_reference = forms.CharField(
        label=_("DoD reference"), max_length=64, help_text=_("Optional")
    )


class AuthoriseForm(ActionForm):
    action = "authorise"
    bis_case_number = forms.CharField(label=_("BIS case number"), max_length=64)
    rating = _rating_field(_("Authorised rating"))
    program_symbol = _symbol_field()
    note = _reason_field(_("Authorisation note"))
    change_reason = forms.CharField(
        label=_("Reason for a different rating"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the rating differs from the DoD's recommendation."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = self.request_row
        if row is not None and not self.is_bound:
            # The DoD's recommendation, to confirm or change.
            self.initial.setdefault("rating", row.recommended_rating)
            self.initial.setdefault("program_symbol", row.recommended_symbol)


class ApproveForm(ActionForm):
    action = "approve"
    note = _reason_field(
        _("Approval"), _("Why your nation supports it; the liaison officer then asks a signatory.")
    )


class ReasonForm(ActionForm):
    reason = _reason_field()


class DeclineForm(ReasonForm):
    action = "decline"


class CloseUnfulfilledForm(ReasonForm):
    action = "close_unfulfilled"


class WithdrawForm(ReasonForm):
    action = "withdraw"


class ForwardForm(ActionForm):
    action = "forward"
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.none(),  # eligible_suppliers(request), set below
        empty_label=_("Choose a supplier"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["supplier"]
        if self.request_row is not None:
            field.queryset = eligible_suppliers(self.request_row)
            if self.request_row.route == Route.CODE_OF_CONDUCT:
                field.help_text = _("Only suppliers that signed the Code of Conduct are listed.")
        field.label_from_instance = lambda supplier: f"{supplier.name} ({supplier.cage_code})"


class SupplierAcceptForm(ActionForm):
    """One date for every item, or, where the order has several items, an answer per item:
    "same date" (the date above), its own date, or rejected with a reason (DESIGN §4a)."""

    action = "supplier_accept"
    committed_delivery_date = forms.DateField(
        label=_("Committed delivery date"),
        widget=DateInput(),
        help_text=_("For every item, unless you answer an item below."),
    )
    late_reason = forms.CharField(
        label=_("Why later than needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Asked when an item is committed later than the date it is needed by."),
    )
    ANSWERS = [
        ("", _("Same date as above")),
        ("accepted", _("Accept by its own date")),
        ("rejected", _("Reject this item")),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late_reason"].required = False
        self.item_ids: list[int] = []
        items = list(self.request_row.items.all()) if self.request_row is not None else []
        self.needed_by = {
            item.pk: needed_by(item.required_date, self.request_row.required_delivery_date)
            for item in items
        }
        if len(items) < 2:
            return
        self.fields["committed_delivery_date"].required = False
        for item in items:
            self.item_ids.append(item.pk)
            name = f"{item.description} ({item.quantity} {item.unit})"
            self.fields[f"item_{item.pk}_answer"] = forms.ChoiceField(
                label=_("%(item)s: answer") % {"item": name},
                choices=self.ANSWERS,
                required=False,
            )
            self.fields[f"item_{item.pk}_date"] = forms.DateField(
                label=_("%(item)s: its own date") % {"item": name},
                widget=DateInput(),
                required=False,
            )
            self.fields[f"item_{item.pk}_reason"] = forms.CharField(
                label=_("%(item)s: why you reject it") % {"item": name},
                max_length=2000,
                required=False,
            )

    def clean(self):
        cleaned = self._clean_answers(super().clean())
        if self.errors or (cleaned.get("late_reason") or "").strip():
            return cleaned
        # Accepted, but not before the supplier says why: the warning is the form's question.
        late = [
            days
            for pk, day in self._committed(cleaned).items()
            if (days := days_late(day, self.needed_by[pk]))
        ]
        if late:
            days = max(late)
            self.add_error(
                "late_reason",
                _(
                    "%(count)d item(s) would be committed up to %(days)d days after required: "
                    "say why, then accept again."
                )
                % {"count": len(late), "days": days},
            )
        return cleaned

    def _committed(self, cleaned) -> dict:
        """The date each item would be committed to by this answer (rejected items left out)."""
        everyone = cleaned.get("committed_delivery_date")
        dates = {}
        for pk in self.needed_by:
            answer = cleaned.get(f"item_{pk}_answer") or ""
            if answer == "accepted":
                dates[pk] = cleaned.get(f"item_{pk}_date")
            elif answer == "":
                dates[pk] = everyone
        return dates

    def _clean_answers(self, cleaned):
        answers = {pk: cleaned.get(f"item_{pk}_answer") or "" for pk in self.item_ids}
        if not any(answers.values()):
            if not cleaned.get("committed_delivery_date"):
                self.add_error("committed_delivery_date", _("This field is required."))
            return cleaned
        for pk, answer in answers.items():
            if answer == "accepted" and not cleaned.get(f"item_{pk}_date"):
                self.add_error(f"item_{pk}_date", _("Give this item's date."))
            elif answer == "rejected" and not (cleaned.get(f"item_{pk}_reason") or "").strip():
                self.add_error(f"item_{pk}_reason", _("Say why you reject this item."))
            elif answer == "" and not cleaned.get("committed_delivery_date"):
                self.add_error("committed_delivery_date", _("Give the date of the other items."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        base = {"version": data.get("version"), "late_reason": data.get("late_reason") or ""}
        answers = {pk: data.get(f"item_{pk}_answer") or "" for pk in self.item_ids}
        if not any(answers.values()):
            return base | {"committed_delivery_date": data["committed_delivery_date"]}
        accepted, rejected = [], []
        self.service_fields = {}
        for pk, answer in answers.items():
            if answer == "rejected":
                self.service_fields[f"rejected_items[{len(rejected)}].reason"] = f"item_{pk}_reason"
                rejected.append({"id": pk, "reason": data[f"item_{pk}_reason"]})
            else:
                own = f"item_{pk}_date" if answer else "committed_delivery_date"
                self.service_fields[f"items[{len(accepted)}].committed_delivery_date"] = own
                accepted.append({"id": pk, "committed_delivery_date": data[own]})
        return base | {"items": accepted, "rejected_items": rejected}

    def field_of(self, name: str) -> str:
        """The page's field for an error the service names (`items[0].committed_delivery_date`)."""
        return getattr(self, "service_fields", {}).get(name, name)


class SupplierRejectForm(ActionForm):
    action = "supplier_reject"
    reason = _reason_field()
    earliest_date = forms.DateField(label=_("Earliest date you could deliver"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a rated order carries the duty to give reasons (15 CFR 700.13).
        if self.request_row is not None and self.request_row.route == Route.DPAS:
            self.fields["reason"].help_text = _("DPAS requires the reasons in writing.")


class ReportDelayForm(ActionForm):
    action = "report_delay"
    reason = _reason_field()
    committed_delivery_date = forms.DateField(
        label=_("New committed delivery date"), widget=DateInput()
    )


class FulfilForm(ActionForm):
    action = "fulfil"
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput())


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        SubmitForm,
        QuestionForm,
        AnswerForm,
        EndorseForm,
        TriageForm,
        DetermineForm,
        AuthoriseForm,
        ApproveForm,
        DeclineForm,
        ForwardForm,
        SupplierAcceptForm,
        SupplierRejectForm,
        ReportDelayForm,
        FulfilForm,
        CloseUnfulfilledForm,
        WithdrawForm,
    )
}
assert set(ACTION_FORMS) == set(TRANSITIONS), "every action has its form"

# What the button of each action says.
DANGEROUS_ACTIONS = frozenset({"decline", "supplier_reject", "close_unfulfilled", "withdraw"})
