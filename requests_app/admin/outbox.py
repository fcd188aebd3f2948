"""Admin of the outbox and the API's records: notices, webhooks and their deliveries, reference
sequences and idempotency records (read-only but for webhooks)."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from ..models import (
    IdempotencyRecord,
    Notification,
    OutboxAttempt,
    ReferenceSequence,
    Webhook,
    WebhookDelivery,
)
from .common import ViewOnlyMixin


class AttemptInline(ViewOnlyMixin, admin.TabularInline):
    """Every attempt at sending the row, logged before the send, with its coarse outcome."""

    model = OutboxAttempt
    fields = readonly_fields = ("number", "started_at", "finished_at", "outcome")
    extra = 0


@admin.register(Notification)
class NotificationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "request",
        "sent_at",
        "held_for_digest_at",
        "read_at",
        "attempts",
        "next_attempt_at",
        "failed_at",
    ]
    list_filter = [
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        ("held_for_digest_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["recipient__username", "request__reference", "kind"]
    list_select_related = ["recipient", "request"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["retry_sending"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("requests_app.change_notification")

    @admin.action(description="Send again (clear the failure)", permissions=["retry"])
    def retry_sending(self, request, queryset) -> None:
        # The periodic re-send picks these up: unsent, not failed, retry time passed.
        count = queryset.filter(sent_at__isnull=True).update(
            failed_at=None, attempts=0, last_error="", next_attempt_at=None
        )
        self.message_user(request, f"{count} notification(s) queued again.")


@admin.register(ReferenceSequence)
class ReferenceSequenceAdmin(ViewOnlyMixin, admin.ModelAdmin):
    # Lowering `last` would hand out a reference twice.
    list_display = ["prefix", "last"]
    search_fields = ["prefix"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "user", "key", "status_code"]
    list_filter = ["status_code"]
    search_fields = ["key", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a record stuck "in progress" (no status) lets the client retry.
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    # The secret signs deliveries: shown once, in the message after adding, never in a form.
    list_display = ["url", "agency", "is_active", "event_kinds", "created_by", "created_at"]
    list_filter = ["is_active", "agency__nation"]
    search_fields = ["url", "agency__name"]
    list_select_related = ["agency__nation", "created_by"]
    fields = ["agency", "url", "event_kinds", "is_active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(request, f"Webhook secret (shown only now): {obj.secret}")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "webhook",
        "event",
        "attempts",
        "response_status",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
    ]
    list_filter = [
        ("delivered_at", admin.EmptyFieldListFilter),
        ("failed_at", admin.EmptyFieldListFilter),
        "webhook__agency",
    ]
    search_fields = ["webhook__url", "event__request__reference", "last_error"]
    list_select_related = ["webhook__agency__nation", "event"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
