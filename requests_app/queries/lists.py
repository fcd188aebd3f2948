"""List filters of DESIGN §7: state, rating, nations, assignee, overdue, q; and due_soon and
escalated, which the liaison home page's tiles link to."""

from __future__ import annotations

import copy
import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import PriorityRequest, Rating, RequestItem, Route, State, delivery_progress
from ..permissions import sees_internal
from . import dues
from .search import search_words


def _own_copy(filter_):
    copied = copy.copy(filter_)
    if copied.method:
        copied.method = copied.method  # a method proxy of the copy's own, not the original's
    return copied


class StrictBooleanField(forms.NullBooleanField):
    """true/false (or 1/0); anything else is an error rather than silently no filter."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise ValidationError(_("Enter true or false."), code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, held in UTC: an offset PostgreSQL would refuse (+17:07) or a moment
    out of range is a 400 naming the parameter, never a database error."""

    def to_python(self, value):
        if value == "":  # given but empty: a mistake, not "since the beginning"
            raise ValidationError(_("Enter a moment (ISO 8601), e.g. 2026-12-05T09:00:00Z."))
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, dt.UTC)
            return moment.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise ValidationError(_("Enter a moment between the years 1 and 9999.")) from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class RequestFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=State.choices)
    rating = django_filters.ChoiceFilter(choices=Rating.choices)
    route = django_filters.ChoiceFilter(choices=Route.choices)
    requesting_nation = django_filters.CharFilter(
        field_name="requesting_nation__code", lookup_expr="iexact", max_length=2
    )
    responding_nation = django_filters.CharFilter(
        field_name="responding_nation__code", lookup_expr="iexact", max_length=2
    )
    assignee = django_filters.CharFilter(field_name="assignee__username", max_length=150)
    overdue = StrictBooleanFilter(method="filter_overdue")
    due_soon = StrictBooleanFilter(method="filter_due_soon")
    escalated = StrictBooleanFilter(method="filter_escalated")
    q = django_filters.CharFilter(method="search", max_length=100)
    # Delta sync: what changed at or after this moment (ISO 8601 with its offset); with
    # `ordering=updated_at` a poller walks the changes oldest first.
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = PriorityRequest
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter deep-copies every filter for every request (~0.5 ms of a ~7 ms page).
        # These filters keep no state of their own but the bindings set below and the method
        # proxy, so a shallow copy each, with the method bound again to the copy, is enough.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _own_copy(f) for name, f in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self

    def get_form_class(self):
        # The filters are fixed: build their form class once, not on every request.
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return dues.overdue(queryset, now)
        return queryset.filter(Q(due_at__isnull=True) | ~dues.overdue_q(now))

    def filter_due_soon(self, queryset, name, value):
        now = timezone.now()
        return dues.due_soon(queryset, now) if value else queryset.exclude(dues.due_soon_q(now))

    def filter_escalated(self, queryset, name, value):
        return dues.escalated(queryset) if value else queryset.exclude(dues.ESCALATED_Q)

    def search(self, queryset, name, value):
        """Every word must match (services/search.py says which words a request has); internal
        comments count for officials only. The tenant rule is already on `queryset`."""
        user = getattr(self.request, "user", None)
        return search_words(queryset, value, officials=bool(user and sees_internal(user)))


def delivery_progress_by_request(request_ids) -> dict[int, dict]:
    """`delivery_progress` of each request, read in one query over their items."""
    items: dict[int, list] = {pk: [] for pk in request_ids}
    if not items:
        return {}
    for row in RequestItem.objects.filter(request_id__in=list(items)).values(
        "request_id", "response", "quantity", "quantity_delivered"
    ):
        items[row["request_id"]].append(row)
    return {pk: delivery_progress(rows) for pk, rows in items.items()}
