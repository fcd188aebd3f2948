import datetime as dt
import io

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from partners.accounts.invitations import issue_invitation
from partners.accounts.tokens import issue_token
from partners.models import ApiToken, Closure, Nation
from requests_app.models import (
    Attachment,
    Escalation,
    Event,
    IdempotencyRecord,
    Notification,
    PriorityRequest,
    State,
    Webhook,
    WebhookDelivery,
)
from tests.helpers import PASSWORD, enrolled, sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def staff(seeded) -> Client:
    client = Client()
    sign_in(client, User.objects.get(username="admin"))  # staff pass the second factor too
    return client


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    request = PriorityRequest.objects.exclude(state=State.DRAFT).first()
    Closure.objects.create(
        nation=Nation.objects.get(code="IN"), date=dt.date(2030, 1, 2), name="Office closure"
    )
    Attachment.objects.create(
        request=request,
        file=SimpleUploadedFile("po.pdf", b"%PDF-1.4 demo"),
        name="purchase-order.pdf",
        size=13,
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by=request.created_by,
    )
    issue_token(request.created_by, name="ERP connector")
    IdempotencyRecord.objects.create(
        user=request.created_by, key="demo-key-1", fingerprint="0" * 64, status_code=201
    )
    if not Escalation.objects.exists():
        Escalation.objects.create(clock=request.clocks.first(), level=0)
    webhook = Webhook.objects.create(
        agency=request.requesting_agency, url="https://erp.example.org/sosa", event_kinds=[]
    )
    WebhookDelivery.objects.create(
        webhook=webhook, event=request.events.first(), payload={"action": "submit"}
    )
    # A row for the second-factor invitations, and for django-axes' admins (unlock). Devices
    # have no admin of their own: the user admin's audited actions reset them.
    enrolled(request.created_by)
    issue_invitation(User.objects.get(username="liaison.us"))
    sign_in = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "requester.in"}
    sign_in |= {"http_accept": "text/html", "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(**sign_in, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**sign_in)
    AccessFailureLog.objects.create(**sign_in, locked_out=False)


def form_data(response) -> dict:
    """The POST body the admin change form would send back unchanged."""
    data: dict = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is not None:
                data[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_every_admin_changelist_and_change_page_loads(seeded, staff):
    superuser = User.objects.get(username="admin")
    as_admin = RequestFactory().get("/admin/")
    as_admin.user = superuser
    failures = []
    for model, model_admin in admin.site._registry.items():
        pages = [url(model, "changelist"), url(model, "changelist") + "?q=gyro"]
        first = model_admin.get_queryset(as_admin).order_by("pk").first()
        assert first is not None, f"no {model.__name__} to open"
        pages.append(url(model, "change", first.pk))
        if model_admin.has_add_permission(as_admin):
            pages.append(url(model, "add"))
        for page in pages:
            status = staff.get(page).status_code
            if status != 200:
                failures.append(f"{page}: {status}")
    # A request in each state, with its items, comments, attachments, clocks and events inline.
    for state in State.values:
        request = PriorityRequest.objects.filter(state=state).first()
        page = url(PriorityRequest, "change", request.pk)
        if (status := staff.get(page).status_code) != 200:
            failures.append(f"{page} ({state}): {status}")
    assert not failures


def test_request_changelist_filters_and_sorts(seeded, staff):
    changelist = url(PriorityRequest, "changelist")
    for query in ["state__exact=accepted", "rating__exact=DX", "o=7", "escalation_level=2"]:
        response = staff.get(f"{changelist}?{query}")
        assert response.status_code == 200, query


def test_admin_user_has_a_profile_inline_with_served_nations(seeded, staff):
    liaison = User.objects.get(username="liaison.us")
    page = staff.get(url(User, "change", liaison.pk)).content.decode()
    assert 'name="profile-0-served_nations"' in page
    assert "selectfilter" in page  # filter_horizontal


def test_event_admin_is_read_only(people, make_request, staff_client):
    request = make_request("approved")
    event = Event.objects.filter(request=request).last()
    change = url(Event, "change", event.pk)
    response = staff_client.get(change)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert staff_client.post(change, {"action": "tampered"}).status_code == 403
    assert staff_client.get(url(Event, "add")).status_code == 403
    assert staff_client.post(url(Event, "delete", event.pk), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "authorise"


def test_request_state_and_clock_fields_are_read_only(people, make_request, staff_client):
    request = make_request("in_review")
    change = url(PriorityRequest, "change", request.pk)
    response = staff_client.get(change)
    page = response.content.decode()
    for field in ["state", "resolution", "due_at", "escalation_level", "version", "submitted_at"]:
        assert f'name="{field}"' not in page, field
    data = form_data(response)
    data.update(state="resolved", resolution="fulfilled", version="99", title="Renamed by admin")
    assert staff_client.post(change, data).status_code == 302
    before_version = request.version
    request.refresh_from_db()
    assert (request.title, request.state, request.resolution) == (
        "Renamed by admin",
        "in_review",
        "",
    )
    assert request.version == before_version + 1
    edit = Event.objects.filter(request=request).last()
    assert (edit.action, edit.data["fields"]) == ("admin_edit", ["title"])


def test_an_admin_edit_reaches_the_webhooks_that_see_the_request(
    people, make_request, staff_client
):
    request = make_request("in_review")
    webhook = Webhook.objects.create(
        agency=people.requester_in.profile.agency, url="https://agency.example/hook"
    )
    change = url(PriorityRequest, "change", request.pk)
    data = form_data(staff_client.get(change))
    data.update(title="Renamed by admin")
    assert staff_client.post(change, data).status_code == 302
    delivery = WebhookDelivery.objects.get(webhook=webhook, event__action="admin_edit")
    assert delivery.payload["request"]["title"] == "Renamed by admin"
    assert delivery.payload["data"] == {"fields": ["title"]}


def test_requests_cannot_be_added_or_deleted_in_admin(people, make_request, staff_client):
    request = make_request("submitted")
    assert staff_client.get(url(PriorityRequest, "add")).status_code == 403
    delete = url(PriorityRequest, "delete", request.pk)
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert PriorityRequest.objects.filter(pk=request.pk).exists()


def test_clocks_and_escalations_are_read_only(people, make_request, staff_client):
    request = make_request("submitted")
    clock = request.clocks.get()
    escalation = Escalation.objects.create(clock=clock, level=0)
    for model, pk in [(type(clock), clock.pk), (Escalation, escalation.pk)]:
        response = staff_client.get(url(model, "change", pk))
        assert response.status_code == 200
        assert 'name="_save"' not in response.content.decode()
        assert staff_client.post(url(model, "change", pk), {}).status_code == 403
        assert staff_client.get(url(model, "add")).status_code == 403


def test_nation_list_warns_when_lunar_holidays_are_missing(people, staff_client):
    def messages_on(moment: dt.datetime) -> list[str]:
        with time_machine.travel(moment):
            sign_in(staff_client, User.objects.get(username="root"))  # sessions expire
            response = staff_client.get(url(Nation, "changelist"))
        return [str(message) for message in response.context["messages"]]

    assert messages_on(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)) == []
    # The package's Indian lunar holidays end with 2035: next year's calendar is incomplete.
    warnings = messages_on(dt.datetime(2035, 6, 1, tzinfo=dt.UTC))
    assert len(warnings) == 1
    assert warnings[0].startswith("IN:") and "2036" in warnings[0]


@pytest.fixture
def staff_client(people) -> Client:
    user = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    sign_in(client, user)
    return client


def test_api_tokens_are_revoked_from_the_admin_never_issued(people, staff_client):
    token, _key = issue_token(people.liaison_us, name="Liaison tracker")
    assert staff_client.get(url(ApiToken, "add")).status_code == 403
    page = staff_client.get(url(ApiToken, "change", token.pk)).content.decode()
    assert "key_hash" not in page
    response = staff_client.post(
        url(ApiToken, "changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_failed_notification_can_be_sent_again_but_not_edited(people, staff_client):
    failed = Notification.objects.create(
        recipient=people.liaison_us, kind="overdue", attempts=5, last_error="SMTP 421"
    )
    Notification.objects.filter(pk=failed.pk).update(failed_at=failed.created_at)
    change = url(Notification, "change", failed.pk)
    assert 'name="_save"' not in staff_client.get(change).content.decode()
    assert staff_client.post(change, {"kind": "tampered"}).status_code == 403
    response = staff_client.post(
        url(Notification, "changelist"),
        {"action": "retry_sending", "_selected_action": [failed.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.failed_at, failed.attempts, failed.last_error) == (None, 0, "")
