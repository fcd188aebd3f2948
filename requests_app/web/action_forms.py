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

from ..models import PROGRAM_SYMBOL_CHOICES, Rating, Route
from ..permissions import assignable_people, eligible_suppliers
from ..queries.ledger import ledgers
from ..transitions import TRANSITIONS
from .action_base import ActionForm, reason_field
from .forms import DateInput, MultipleFileField, attachment_help, person_label
from .item_forms import (
    FulfilForm,
    RecordDeliveryForm,
    ReportDelayForm,
    SplitForm,
    SupplierAcceptForm,
)


class SubmitForm(ActionForm):
    action = "submit"


class QuestionForm(ActionForm):
    action = "request_info"
    question = reason_field(
        _("Your question to the requester"),
        _("Shared with the requesting nation. The deadline pauses until they answer."),
    )


class AnswerForm(ActionForm):
    action = "answer"
    answer = reason_field(_("Your answer"), _("The paused deadline resumes when you answer."))
    attachments = MultipleFileField(label=_("Files with your answer (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachment_help()

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        kwargs.pop("attachments", None)  # stored beside the answer (web.requests.request_act)
        return kwargs


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
    note = reason_field(
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
    note = reason_field(_("Program determination"), _("Why the item supports an approved program."))
    dod_reference = forms.CharField(
        label=_("DoD reference"), max_length=64, help_text=_("Optional")
    )


class AuthoriseForm(ActionForm):
    action = "authorise"
    bis_case_number = forms.CharField(label=_("BIS case number"), max_length=64)
    rating = _rating_field(_("Authorised rating"))
    program_symbol = _symbol_field()
    note = reason_field(_("Authorisation note"))
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
    note = reason_field(
        _("Approval"), _("Why your nation supports it; the liaison officer then asks a signatory.")
    )


class ReasonForm(ActionForm):
    reason = reason_field()


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
        figures: dict = {}
        if self.request_row is not None:
            field.queryset = eligible_suppliers(self.request_row)
            if self.request_row.route == Route.CODE_OF_CONDUCT:
                field.help_text = _(
                    "Only current signatories of the Code of Conduct are listed, each with its "
                    "record of answers (the registry on /suppliers/ has the whole ledger)."
                )
            if not self.is_bound:  # the evidence to choose with (DESIGN §5, issue 14 point 3)
                figures = ledgers(field.queryset.values_list("pk", flat=True))

        def label(supplier) -> str:
            ledger = figures.get(supplier.pk)
            text = f"{supplier.name} ({supplier.cage_code})"
            return f"{text} — {ledger.summary}" if ledger else text

        field.label_from_instance = label


class SupplierRejectForm(ActionForm):
    action = "supplier_reject"
    reason = reason_field()
    earliest_date = forms.DateField(label=_("Earliest date you could deliver"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a rated order carries the duty to give reasons (15 CFR 700.13).
        if self.request_row is not None and self.request_row.route == Route.DPAS:
            self.fields["reason"].help_text = _("DPAS requires the reasons in writing.")


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
        RecordDeliveryForm,
        FulfilForm,
        SplitForm,
        CloseUnfulfilledForm,
        WithdrawForm,
    )
}
assert set(ACTION_FORMS) == set(TRANSITIONS), "every action has its form"

# What the button of each action says.
DANGEROUS_ACTIONS = frozenset({"decline", "supplier_reject", "close_unfulfilled", "withdraw"})
