"""Admin for requests and their records.

State, resolution and everything an action or a clock sets are read-only here: state changes only
through `requests_app.services`. Events, clocks and escalations are the audit trail: view only.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import F
from django.utils.text import Truncator

from ..models import (
    Attachment,
    Clock,
    Comment,
    Escalation,
    Event,
    PriorityRequest,
    RequestItem,
)
from ..services import record_events
from .common import ViewOnlyMixin


class RequestItemInline(admin.TabularInline):
    model = RequestItem
    extra = 0
    fields = ["description", "part_number", "nsn", "quantity", "unit", "required_date"]


class CommentInline(admin.TabularInline):
    # Comments are added through the portal (with their event); admins may only remove one.
    model = Comment
    extra = 0
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["name", "file", "size", "content_type", "sha256", "uploaded_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventInline(ViewOnlyMixin, admin.TabularInline):
    model = Event
    extra = 0
    fields = ["created_at", "actor", "action", "from_state", "to_state", "data"]
    readonly_fields = fields


class ClockInline(ViewOnlyMixin, admin.TabularInline):
    model = Clock
    extra = 0
    fields = ["stage", "status", "started_at", "due_at", "level", "stopped_at", "explanation"]
    readonly_fields = fields


# Set by actions and clocks, never typed in: see requests_app.services.
ACTION_FIELDS = (
    "reference",
    "requesting_nation",
    "responding_nation",
    "created_by",
    "state",
    "resolution",
    "resolution_reason",
    "info_requested_in",
    "assignee",
    "supplier",
    "rating",
    "program_symbol",
    "determination_note",
    "bis_case_number",
    "committed_delivery_date",
    "delivered_on",
)
CLOCK_FIELDS = ("due_at", "escalation_level", "escalated_at", "priority_rank", "version")
TIMESTAMP_FIELDS = (
    "created_at",
    "updated_at",
    "submitted_at",
    "triaged_at",
    "approved_at",
    "forwarded_at",
    "accepted_at",
    "resolved_at",
)


@admin.register(PriorityRequest)
class PriorityRequestAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "requesting_nation",
        "responding_nation",
        "state",
        "resolution",
        "rating_display",
        "urgency",
        "due_at",
        "escalation_level",
        "assignee",
        "supplier",
        "created_at",
    ]
    list_filter = [
        "state",
        "resolution",
        "rating",
        "urgency",
        "requesting_nation",
        "responding_nation",
        "program_symbol",
        "escalation_level",
    ]
    search_fields = [
        "reference",
        "title",
        "contract_number",
        "program",
        "items__part_number",
        "items__nsn",
        "supplier__name",
    ]
    list_select_related = ["requesting_nation", "responding_nation", "assignee", "supplier"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["requesting_agency"]
    readonly_fields = [*ACTION_FIELDS, *CLOCK_FIELDS, *TIMESTAMP_FIELDS]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("reference", "state", "resolution"),
                    "title",
                    ("requesting_nation", "requesting_agency", "responding_nation"),
                    ("created_by", "assignee", "supplier"),
                ]
            },
        ),
        (
            "Order",
            {
                "fields": [
                    ("contract_number", "program"),
                    "justification",
                    "urgency",
                    ("required_delivery_date", "committed_delivery_date", "delivered_on"),
                    ("prime_contractor", "supplier_tier", "end_user"),
                    "steps_taken",
                ]
            },
        ),
        (
            "Rating",
            {
                "fields": [
                    ("rating", "program_symbol", "bis_case_number"),
                    "determination_note",
                ]
            },
        ),
        (
            "Export control and handling",
            {
                "fields": [
                    ("export_jurisdiction", "export_classification", "licence_status"),
                    "handling_marking",
                ]
            },
        ),
        (
            "Clock and history",
            {
                "fields": [
                    ("due_at", "escalation_level", "escalated_at"),
                    ("info_requested_in", "resolution_reason"),
                    ("version", "priority_rank"),
                    ("created_at", "updated_at", "submitted_at", "triaged_at"),
                    ("approved_at", "forwarded_at", "accepted_at", "resolved_at"),
                ]
            },
        ),
    ]
    inlines = [RequestItemInline, CommentInline, AttachmentInline, ClockInline, EventInline]

    def has_add_permission(self, request) -> bool:
        # Requests are filed through the portal or the API (references, events, clocks).
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The audit trail (events) must survive: resolve or withdraw instead.
        return False

    @admin.display(description="rating", ordering="priority_rank")
    def rating_display(self, obj: PriorityRequest) -> str:
        return obj.rating_display

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        changed += [formset.prefix for formset in formsets if formset.has_changed()]
        if not (change and changed):
            return
        obj = form.instance
        # An admin edit is audited and invalidates forms loaded before it (optimistic lock).
        PriorityRequest.objects.filter(pk=obj.pk).update(version=F("version") + 1)
        event = Event.objects.create(
            request=obj,
            actor=request.user,
            action="admin_edit",
            from_state=obj.state,
            to_state=obj.state,
            data={"fields": changed},
        )
        record_events([event])  # heard of like any other event: webhooks that see the request


@admin.register(RequestItem)
class RequestItemAdmin(admin.ModelAdmin):
    list_display = ["request", "description", "part_number", "nsn", "quantity", "unit"]
    search_fields = ["description", "part_number", "nsn", "request__reference"]
    list_filter = ["request__state", "request__responding_nation"]
    list_select_related = ["request"]
    raw_id_fields = ["request"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "request", "author", "visibility", "excerpt"]
    list_filter = ["visibility"]
    search_fields = ["body", "request__reference", "author__username"]
    list_select_related = ["request", "author"]
    readonly_fields = ["request", "author", "visibility", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="comment")
    def excerpt(self, comment: Comment) -> str:
        return Truncator(comment.body).chars(80)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "request", "size", "content_type", "uploaded_by", "created_at"]
    list_filter = ["content_type"]
    search_fields = ["name", "sha256", "request__reference", "uploaded_by__username"]
    list_select_related = ["request", "uploaded_by"]
    readonly_fields = [
        "request",
        "file",
        "size",
        "content_type",
        "sha256",
        "uploaded_by",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        # Uploads go through the portal, which checks size and type and computes the digest.
        return False


@admin.register(Event)
class EventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "request", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    search_fields = ["request__reference", "action", "actor__username"]
    list_select_related = ["request", "actor"]
    date_hierarchy = "created_at"


@admin.register(Clock)
class ClockAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "request",
        "stage",
        "status",
        "started_at",
        "due_at",
        "next_escalation_at",
        "level",
        "stopped_at",
    ]
    list_filter = ["stage", "level", ("stopped_at", admin.EmptyFieldListFilter)]
    search_fields = ["request__reference"]
    list_select_related = ["request"]
    date_hierarchy = "due_at"


@admin.register(Escalation)
class EscalationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "clock_request", "stage", "level"]
    list_filter = ["level", "clock__stage"]
    search_fields = ["clock__request__reference"]
    list_select_related = ["clock__request"]

    @admin.display(description="request", ordering="clock__request__reference")
    def clock_request(self, escalation: Escalation) -> PriorityRequest:
        return escalation.clock.request

    @admin.display(description="stage", ordering="clock__stage")
    def stage(self, escalation: Escalation) -> str:
        return escalation.clock.get_stage_display()
