"""Page forms (the filing form, comments, attachments, the queue; actions are in
`action_forms`): they parse what a person typed; the rules live in `services` and `permissions`.

Fields carry types, lengths and labels only. Whether a value is acceptable (a title given, a date
in the future, a quantity of at least 1) is decided by the service, whose `InvalidInput` errors
are put back next to the field they name (`add_service_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partners.filing import filing_targets
from partners.models import Agency, Nation
from partners.people import person_label

from ..models import (
    ExportJurisdiction,
    LicenceStatus,
    LinkKind,
    Urgency,
    Visibility,
)
from ..permissions import assignable_people, may_comment, profile_of, user_role
from ..services import ITEM_FIELDS
from ..services.attachments import BY_EXTENSION
from .field_labels import labelled
from .glossary import term

ITEM_ERROR_KEY = re.compile(r"^items\[(\d+)\]\.(\w+)$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    """Several files at once. The browser checks each file's type and size before the upload
    (static/js/file-checks.js), with the limit of the moment and messages in the page's
    language (read when the page is drawn); the service checks again, by content."""

    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limit = settings.SOSA_ATTACHMENT_MAX_BYTES
        context["widget"]["attrs"].update(
            {
                "accept": ",".join(sorted(BY_EXTENSION)),
                "data-max-bytes": limit,
                "data-max-label": filesizeformat(limit),
                "data-file-check": "",
                # {name}, {limit}, {allowed} are filled in by the script.
                "data-msg-size": _("{name} is larger than {limit}: it was not chosen."),
                "data-msg-type": _(
                    "{name} is not a file type the portal accepts ({allowed}): it was not chosen."
                ),
                "data-msg-empty": _("{name} is empty: it was not chosen."),
            }
        )
        return context


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by `services.add_attachment`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # Empty files are refused by the service, with its own message.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attachment_help() -> str:
    return _(
        "PDF, Word, Excel, PNG, JPEG, text or CSV, up to %(limit)s each. "
        "You can choose several files at once."
    ) % {"limit": filesizeformat(settings.SOSA_ATTACHMENT_MAX_BYTES)}


def add_service_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put a service's `InvalidInput` errors next to the fields they name; others on top."""
    field_of = getattr(form, "field_of", None)
    for name, messages in errors.items():
        name = field_of(name) if field_of else name
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, labelled(name, message))


# --- the draft and its items ----------------------------------------------------------------


class DraftForm(forms.Form):
    """The fields of `services.DRAFT_FIELDS`, as a requester fills them in."""

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("A short name for what you need, e.g. “Gyroscopes for the Tejas fleet”."),
    )
    responding_nation = forms.ModelChoiceField(
        label=_("Nation asked for help"),
        queryset=Nation.objects.none(),
        empty_label=_("Choose a nation"),
        help_text=_("The partner nation whose industry should give priority to your order."),
    )
    requesting_agency = forms.ModelChoiceField(
        label=_("Your agency"),
        queryset=Agency.objects.none(),
        empty_label=_("Not specified"),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    required_delivery_date = forms.DateField(
        label=_("Required delivery date"),
        widget=DateInput(),
        help_text=_("The date the items must arrive. It must be in the future to submit."),
    )
    contract_number = forms.CharField(label=_("Contract or order number"), max_length=64)
    program = forms.CharField(label=_("Defence program supported"), max_length=200)
    justification = forms.CharField(
        label=_("Why it is urgent"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happens if the order is late: the operational impact, in plain words."),
    )
    prime_contractor = forms.CharField(label=_("Prime contractor"), max_length=200)
    supplier_tier = forms.CharField(
        label=_("Supplier tier"),
        max_length=32,
        help_text=_("e.g. prime, tier 1, tier 2"),
    )
    end_user = forms.CharField(label=_("End user"), max_length=200)
    steps_taken = forms.CharField(
        label=_("Steps already taken"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you have already tried with the supplier or others."),
    )
    export_jurisdiction = forms.ChoiceField(
        label=_("Export-control jurisdiction"),
        choices=[("", _("None")), *list(ExportJurisdiction.choices)],
    )
    export_classification = forms.CharField(label=_("USML category or ECCN"), max_length=32)
    licence_status = forms.ChoiceField(
        label=_("Export licence"),
        choices=[("", _("Not known")), *list(LicenceStatus.choices)],
    )
    handling_marking = forms.CharField(
        label=_("Handling marking"),
        max_length=100,
        help_text=_("e.g. CUI, REL TO USA, IND"),
    )
    attachments = MultipleFileField(label=_("Files to attach"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    SECTIONS = (
        (_("What you need"), ("title", "responding_nation", "requesting_agency", "urgency",
                              "required_delivery_date")),
        (_("Contract and program"), ("contract_number", "program", "prime_contractor",
                                     "supplier_tier", "end_user")),
        (_("Justification"), ("justification", "steps_taken")),
        (_("Export control and handling"), ("export_jurisdiction", "export_classification",
                                            "licence_status", "handling_marking")),
    )  # fmt: skip
    WIDE = frozenset({"title", "justification", "steps_taken"})
    # A "What is this?" link beside the field's label, to its entry on /help/.
    HINTS = {"responding_nation": term("routes"), "handling_marking": term("cui")}

    def __init__(self, *args, nation: Nation, current: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.nation = nation
        for field in self.fields.values():
            field.required = False  # the service says what a draft and a submission need
        # Only nations this one may file to; a draft keeps its own choice (submit says why not).
        targets = filing_targets(nation)
        responding = self.fields["responding_nation"]
        responding.queryset = (
            targets | Nation.objects.filter(pk=current) if current else targets
        ).order_by("name")
        if not targets.exists():
            responding.help_text = _(
                "No nation can receive your requests yet: your nation needs an active "
                "arrangement, and a liaison officer of the other nation who serves yours."
            )
        self.fields["attachments"].help_text = attachment_help()
        self.fields["requesting_agency"].queryset = Agency.objects.filter(nation=nation)

    def sections(self):
        """(heading, [(bound field, spans the whole row, its glossary hint or None)])."""
        return [
            (title, [(self[name], name in self.WIDE, self.HINTS.get(name)) for name in names])
            for title, names in self.SECTIONS
        ]

    def draft_values(self) -> dict:
        """Keyword arguments for `services.create_request` / `update_draft`."""
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("attachments", "version")
        }
        # The select always sends a value; a missing one means "leave the default".
        if not values.get("urgency"):
            values.pop("urgency", None)
        return values


class ItemForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300)
    part_number = forms.CharField(label=_("Part number"), max_length=64)
    nsn = forms.CharField(
        label=_("NSN"),
        max_length=16,
        help_text=_("NATO stock number, if known"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), widget=forms.NumberInput(attrs={"min": 1}))
    unit = forms.CharField(label=_("Unit"), max_length=16, initial="each")
    required_date = forms.DateField(
        label=_("Needed by"), widget=DateInput(), help_text=_("Optional")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False  # the service checks each row

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ITEM_FIELDS if name != "unit")

    def item_values(self) -> dict:
        values = {name: self.cleaned_data.get(name) for name in ITEM_FIELDS}
        values["unit"] = values["unit"] or "each"
        for name in ("description", "part_number", "nsn"):
            values[name] = values[name] or ""
        return values


ItemFormSet = forms.formset_factory(ItemForm, extra=0, min_num=1, max_num=200, absolute_max=200)
# A saved draft shows one empty row after its items (blank rows are skipped), so that a browser
# without JavaScript can still add items, one per save.
DraftItemFormSet = forms.formset_factory(
    ItemForm, extra=1, min_num=1, max_num=200, absolute_max=200
)


def items_formset(data=None, *, initial: Iterable[dict] = ()) -> forms.BaseFormSet:
    initial = list(initial)
    formset_class = DraftItemFormSet if initial else ItemFormSet
    return formset_class(data, initial=initial or None, prefix="items")


def collected_items(formset) -> tuple[list[dict], list[forms.Form]]:
    """The non-blank rows of a valid formset as service input, and the form each came from
    (so that an error named `items[1].quantity` lands on the right row)."""
    rows = [form for form in formset.forms if not form.is_blank()]
    return [form.item_values() for form in rows], rows


def add_item_errors(formset, sources: list[forms.Form], errors: dict[str, list[str]]) -> dict:
    """Errors named `items[2].quantity` go on that row; the rest are returned."""
    rest: dict[str, list[str]] = {}
    for name, messages in errors.items():
        match = ITEM_ERROR_KEY.match(name)
        if match and int(match[1]) < len(sources) and match[2] in ItemForm.base_fields:
            for message in messages:
                sources[int(match[1])].add_error(match[2], message)
        else:
            rest[name] = messages
    return rest


# --- comments and attachments -----------------------------------------------------------------


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        initial=Visibility.SHARED,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self,
        *args,
        may_write_internal: bool = False,
        nations: tuple[str, str] | None = None,
        own_nation: str = "",
        default: str = Visibility.SHARED,
        **kwargs,
    ):
        kwargs.setdefault("auto_id", "id_comment_%s")
        super().__init__(*args, **kwargs)
        self.may_write_internal = may_write_internal
        if not may_write_internal:
            self.fields["visibility"].widget = forms.HiddenInput()
            return
        field = cast(forms.ChoiceField, self.fields["visibility"])
        if nations:  # say exactly who reads each: the request's two nations by name
            both = _("%(first)s and %(second)s") % {"first": nations[0], "second": nations[1]}
            field.choices = [
                (
                    Visibility.SHARED,
                    _("Shared: everyone on this request, the requester and the supplier included"),
                ),
                (
                    Visibility.INTERNAL,
                    _("Internal: officials of %(nations)s only, not the requester or supplier")
                    % {"nations": both},
                ),
                (
                    Visibility.NATIONAL,
                    _("National: officials of %(nation)s only, not the partner nation")
                    % {"nation": own_nation or _("your nation")},
                ),
            ]
        field.initial = default

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or Visibility.SHARED


def comment_form_for(user, row, data=None) -> CommentForm:
    """The request page's comment form for this person: the choice of readers names the
    request's two nations and the writer's own; a reviewer's note (a ministry's deliberation,
    DoD's or the MoD's) is national by default, everyone else's shared."""
    internal = may_comment(user, Visibility.INTERNAL)
    profile = profile_of(user)
    return CommentForm(
        data,
        may_write_internal=internal,
        nations=(row.requesting_nation.name, row.responding_nation.name) if internal else None,
        own_nation=profile.nation.name if profile else "",
        default=DEFAULT_BY_ROLE.get(user_role(user) or "", Visibility.SHARED),
    )


# Whose comments start as what (the writer can always choose another).
DEFAULT_BY_ROLE = {"reviewer": Visibility.NATIONAL}


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("Files"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_attach_%s")
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = attachment_help()


# --- the queue ---------------------------------------------------------------------------------


class BulkAssignForm(forms.Form):
    """The person to assign the selected queue rows to (the rows come as `references`)."""

    assignee = forms.ModelChoiceField(
        label=_("Assign the selected requests to"),
        queryset=get_user_model().objects.none(),  # assignable_people(…), set below
        empty_label=_("Choose a reviewer or liaison officer"),
    )

    def __init__(self, *args, nation_id, **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_people(nation_id)
        self.fields["assignee"].label_from_instance = person_label


class LinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("This request is"),
        choices=[
            (LinkKind.RELATED, _("Related to")),
            (LinkKind.DUPLICATE_OF, _("A duplicate of")),
        ],
        initial=LinkKind.RELATED,
    )
    reference = forms.CharField(
        label=_("Reference of the other request"),
        max_length=20,
        help_text=_("For example IN-2026-00042; only requests you can see."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_link_%s")
        super().__init__(*args, **kwargs)
