"""`/suppliers/`: the Code of Conduct registry of each nation (issue 14 point 2) with each firm's
response ledger (point 3); `?format=csv` the list as DoD publishes it. On the DPAS side, the
firms of the nation that received rated orders. A nation's liaison officers (and staff)
withdraw a firm's signature here."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Nation, Supplier
from partners.people import profile_of
from partners.suppliers import REASON_MAX, may_withdraw, withdraw_signature
from sosa_portal.lib import safe_csv

from ..permissions import sees_ledger
from ..queries.ledger import Ledger, ledgers, rated_orders

CSV_HEADER = ["Country", "Company", "CAGE/NCAGE", "Date signed", "Code version", "Withdrawn on"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the signature is withdrawn"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Audited. The firm takes no new requests from now on; those it holds stay with it."
        ),
    )


@dataclass
class Firm:
    supplier: Supplier
    ledger: Ledger | None
    rated_orders: int
    may_withdraw: bool
    form: WithdrawForm | None
    open_form: bool = False


@dataclass
class Section:
    nation: Nation
    dpas: bool
    firms: list[Firm]


def _sections(user, bound: tuple[int, WithdrawForm] | None = None) -> list[Section]:
    suppliers = list(Supplier.objects.select_related("nation").order_by("nation__name", "name"))
    dpas = {s.pk for s in suppliers if not s.nation.relies_on_code_of_conduct}
    rated = rated_orders(dpas)
    listed = [s for s in suppliers if s.code_of_conduct_signed_on or rated.get(s.pk)]
    figures = ledgers(s.pk for s in listed if sees_ledger(user, s.nation_id))
    sections: dict[int, Section] = {}
    for supplier in listed:
        section = sections.setdefault(
            supplier.nation_id, Section(supplier.nation, supplier.pk in dpas, [])
        )
        allowed = supplier.signed_code_of_conduct and may_withdraw(user, supplier)
        form = None
        if allowed:
            form = (
                bound[1]
                if bound and bound[0] == supplier.pk
                else WithdrawForm(prefix=f"s{supplier.pk}")
            )
        section.firms.append(
            Firm(
                supplier=supplier,
                ledger=figures.get(supplier.pk),
                rated_orders=rated.get(supplier.pk, 0),
                may_withdraw=allowed,
                form=form,
                open_form=bool(bound and bound[0] == supplier.pk),
            )
        )
    own = profile_of(user)
    return sorted(
        sections.values(),
        key=lambda section: (
            own is None or section.nation.pk != own.nation_id,
            section.nation.name,
        ),
    )


@login_required
def registry(request, *, bound=None, status=200):
    if request.GET.get("format") == "csv":
        return _csv()
    return render(
        request,
        "requests/suppliers.html",
        {"sections": _sections(request.user, bound)},
        status=status,
    )


def _csv():
    rows = (
        [
            s.nation.name,
            s.name,
            s.cage_code,
            s.code_of_conduct_signed_on.isoformat(),
            s.code_of_conduct_version,
            s.code_of_conduct_withdrawn_on.isoformat() if s.code_of_conduct_withdrawn_on else "",
        ]
        for s in Supplier.objects.select_related("nation")
        .filter(code_of_conduct_signed_on__isnull=False)
        .order_by("nation__name", "name")
    )
    return safe_csv.streaming_response(CSV_HEADER, rows, "code-of-conduct-signatories.csv")


@login_required
def withdraw(request, supplier_id: int):
    if request.method != "POST":  # a reloaded form address: the registry itself
        return redirect("suppliers")
    supplier = Supplier.objects.select_related("nation").filter(pk=supplier_id).first()
    if supplier is None or not may_withdraw(request.user, supplier):
        raise Http404
    form = WithdrawForm(request.POST, prefix=f"s{supplier.pk}")
    if form.is_valid():
        try:
            withdraw_signature(
                supplier, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                for problem in problems:
                    form.add_error(None, problem)
        else:
            messages.success(
                request,
                _("%(firm)s no longer takes new requests: its signature is withdrawn.")
                % {"firm": supplier.name},
            )
            return redirect("suppliers")
    messages.error(request, _("The signature was not withdrawn: see the form below."))
    return registry(request, bound=(supplier.pk, form), status=400)


urlpatterns = [
    path("suppliers/", registry, name="suppliers"),
    path("suppliers/<int:supplier_id>/withdraw/", withdraw, name="supplier_withdraw"),
]
