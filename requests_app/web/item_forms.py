"""The forms of the item-by-item actions (DESIGN §4a): the supplier's answer per item, a delay
of one item or of all, a delivery of part of an item, everything arrived, and the split of the
rejected items into a follow-on request."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.calendars import format_day
from partners.models import calendar_for

from ..deadlines import days_late, needed_by
from ..models import ItemResponse
from .action_base import ActionForm, reason_field
from .forms import DateInput


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
        label=_("Why this date"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Asked when an item is committed later than the date it is needed by, or on a day "
            "the responding nation does not work."
        ),
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
        self.item_names: dict[int, str] = {}
        for item in items:
            self.item_ids.append(item.pk)
            name = f"{item.description} ({item.quantity} {item.unit})"
            self.item_names[item.pk] = name
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

    def item_rows(self) -> list[dict]:
        """One table row per item on the page: its name, the date needed, and its three fields."""
        return [
            {
                "name": self.item_names[pk],
                "needed": self.needed_by[pk],
                "fields": [self[f"item_{pk}_{part}"] for part in ("answer", "date", "reason")],
            }
            for pk in self.item_ids
        ]

    def general_fields(self) -> list:
        """The fields above the item table (the date for every item, the reason, the version)."""
        return [self[name] for name in self.fields if not name.startswith("item_")]

    def clean(self):
        cleaned = self._clean_answers(super().clean())
        if self.errors or (cleaned.get("late_reason") or "").strip():
            return cleaned
        # Accepted, but not before the supplier says why: the warning is the form's question.
        # A date in the past is the service's to refuse: no reason is asked for it.
        calendar = calendar_for(self.request_row.responding_nation)
        today = calendar.local_date(timezone.now())
        committed = {
            pk: day for pk, day in self._committed(cleaned).items() if day and day >= today
        }
        late = [
            days for pk, day in committed.items() if (days := days_late(day, self.needed_by[pk]))
        ]
        off_days = sorted(
            {
                f"{format_day(day)} ({reason})"
                for day in committed.values()
                if day is not None and (reason := calendar.non_working_reason(day))
            }
        )
        problems = []
        if late:
            problems.append(
                _("%(count)d item(s) would be committed up to %(days)d days after required")
                % {"count": len(late), "days": max(late)}
            )
        if off_days:
            problems.append(
                _("%(days)s is not a working day in %(nation)s")
                % {"days": ", ".join(off_days), "nation": self.request_row.responding_nation.name}
            )
        if problems:
            self.add_error(
                "late_reason",
                _("%(problems)s: say why, then accept again.")
                % {"problems": "; ".join(str(problem) for problem in problems)},
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
        accepted: list[dict] = []
        rejected: list[dict] = []
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


class ReportDelayForm(ActionForm):
    action = "report_delay"
    reason = reason_field()
    committed_delivery_date = forms.DateField(
        label=_("New committed delivery date"), widget=DateInput()
    )
    item = forms.TypedChoiceField(
        label=_("Which item"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owed = owed_items(self.request_row)
        self.fields["item"].choices = [("", _("Every item still to be delivered"))] + [
            (item.pk, item_label(item)) for item in owed
        ]
        if len(owed) < 2:
            del self.fields["item"]


class RecordDeliveryForm(ActionForm):
    """What arrived of one item: partial quantities add up (DESIGN §4a)."""

    action = "record_delivery"
    item = forms.TypedChoiceField(label=_("Item"), coerce=int, empty_value=None)
    quantity = forms.IntegerField(label=_("Quantity delivered"), min_value=1)
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owed = owed_items(self.request_row)
        self.fields["item"].choices = [
            (item.pk, _("%(item)s — %(open)d still to come")
             % {"item": item_label(item), "open": item.quantity_open})
            for item in owed
        ]  # fmt: skip
        if owed and not self.is_bound:
            self.initial.setdefault("item", owed[0].pk)
            self.initial.setdefault("quantity", owed[0].quantity_open)
        self.fields["quantity"].help_text = _("Part of an item may arrive now, the rest later.")


class FulfilForm(ActionForm):
    action = "fulfil"
    delivered_on = forms.DateField(
        label=_("Delivered on"),
        widget=DateInput(),
        help_text=_("Records the rest of every item still to come as delivered that day."),
    )


class SplitForm(ActionForm):
    """The rejected items go on as a follow-on request, ready to forward to another supplier."""

    action = "split"
    items = forms.TypedMultipleChoiceField(
        label=_("Rejected items to carry over"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rejected = (
            list(self.request_row.items.filter(response=ItemResponse.REJECTED))
            if self.request_row is not None
            else []
        )
        self.fields["items"].choices = [(item.pk, item_label(item)) for item in rejected]
        if not self.is_bound:
            self.initial.setdefault("items", [item.pk for item in rejected])
        self.fields["items"].help_text = _(
            "They leave this request for a new one, approved as this one was, with its own "
            "reference and deadline."
        )


def owed_items(request_row) -> list:
    """The accepted items still to be delivered in full, for the pickers."""
    if request_row is None:
        return []
    return [
        item
        for item in request_row.items.filter(response=ItemResponse.ACCEPTED)
        if not item.delivered_in_full
    ]


def item_label(item) -> str:
    return f"{item.description} ({item.quantity} {item.unit})"
