"""The audit trail (issue 6 §4): events and account entries are append-only, every sign-in,
failed sign-in, sign-out and token change is recorded with actor, time and address, and staff
export both trails as CSV."""

import csv
import datetime as dt
import io

import pytest
from axes.utils import reset as reset_lockouts
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import ApiToken, AuditEntry, AuditKind
from tests.helpers import PASSWORD, code_for, sign_in_with_password

EXPORT = "/audit/export.csv"
pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _no_lockouts_and_no_forced_2fa(settings):
    settings.SOSA_DEMO_SKIP_2FA = True
    settings.DEBUG = True
    reset_lockouts()
    yield
    reset_lockouts()


def client_at(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT="Browser/1.0 " + "x" * 400, **headers)


def only(kind: str) -> AuditEntry:
    (entry,) = AuditEntry.objects.filter(kind=kind)
    return entry


def export_rows(client: Client, **params) -> list[dict]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sosa-audit.csv"'
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def staff(people) -> Client:
    user = User.objects.create_superuser("auditor", "auditor@example.org", PASSWORD)
    client = Client()
    client.force_login(user)
    return client


# Append-only


@pytest.fixture(params=["event", "audit_entry"])
def audit_row(request, make_request):
    """One row of each append-only trail, and a field to try to change."""
    if request.param == "event":
        return make_request("submitted").events.get(action="submit"), "action"
    return AuditEntry.objects.create(kind=AuditKind.SIGN_IN_FAILED, username="mallory"), "username"


def test_audit_rows_refuse_every_orm_path_that_changes_or_removes_them(audit_row):
    row, field = audit_row
    model, original = type(row), getattr(row, field)
    same_row = model.objects.filter(pk=row.pk)
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        same_row.update(**{field: "tampered"})
    with pytest.raises(TypeError):
        same_row.delete()
    with pytest.raises(TypeError):
        model.objects.all().delete()
    setattr(row, field, "tampered")
    with pytest.raises(TypeError):
        model.objects.bulk_update([row], [field])
    assert getattr(model.objects.get(pk=row.pk), field) == original


def test_a_requests_events_cannot_be_changed_through_the_related_manager(make_request):
    request = make_request("submitted")
    actions = list(request.events.values_list("action", flat=True))
    with pytest.raises(TypeError):
        request.events.update(action="tampered")
    with pytest.raises(TypeError):
        request.events.all().delete()
    assert list(request.events.values_list("action", flat=True)) == actions


def test_audit_admin_lists_and_filters_but_never_changes(staff):
    sign_in_with_password(client_at("198.51.100.9"), "nobody", "wrong")
    entry = only(AuditKind.SIGN_IN_FAILED)
    changelist = reverse("admin:partners_auditentry_changelist")
    assert "nobody" in staff.get(changelist, {"q": "198.51.100.9"}).content.decode()
    assert "nobody" not in staff.get(changelist, {"kind__exact": "signed_in"}).content.decode()
    change = reverse("admin:partners_auditentry_change", args=[entry.pk])
    assert staff.get(change).status_code == 200
    assert staff.post(change, {"username": "x"}).status_code == 403
    assert staff.get(reverse("admin:partners_auditentry_add")).status_code == 403
    delete = reverse("admin:partners_auditentry_delete", args=[entry.pk])
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# Recording


def test_sign_in_and_sign_out_are_recorded_with_actor_time_and_address(people):
    client = client_at("203.0.113.7")
    before = timezone.now()
    assert sign_in_with_password(client, "requester.in").status_code == 302
    entry = only(AuditKind.SIGNED_IN)
    assert entry.actor == people.requester_in
    assert entry.username == "requester.in"
    assert entry.ip_address == "203.0.113.7"
    assert entry.user_agent.startswith("Browser/1.0") and len(entry.user_agent) == 255
    assert before <= entry.created_at <= timezone.now()

    client.post("/accounts/logout/")
    signed_out = only(AuditKind.SIGNED_OUT)
    assert (signed_out.actor, signed_out.ip_address) == (people.requester_in, "203.0.113.7")


def test_failed_sign_in_is_recorded_with_the_name_tried_and_no_actor(people):
    response = sign_in_with_password(client_at("192.0.2.44"), "requester.in", "not-the-password")
    assert response.status_code == 200
    entry = only(AuditKind.SIGN_IN_FAILED)
    assert entry.actor is None
    assert entry.username == "requester.in"
    assert entry.ip_address == "192.0.2.44"
    assert "not-the-password" not in str(entry.detail)


def test_failed_sign_ins_past_the_lockout_are_still_recorded(people, settings):
    client = client_at("192.0.2.45")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in_with_password(client, "liaison.in", "guess")
    # Locked, even with the password.
    assert sign_in_with_password(client, "liaison.in").status_code == 429
    failures = AuditEntry.objects.filter(kind=AuditKind.SIGN_IN_FAILED, username="liaison.in")
    assert failures.count() == settings.AXES_FAILURE_LIMIT + 2
    assert not AuditEntry.objects.filter(kind=AuditKind.SIGNED_IN).exists()


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(people, settings):
    forged = {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.20"}
    sign_in_with_password(client_at("10.0.0.2", **forged), "nobody", "x")
    assert only(AuditKind.SIGN_IN_FAILED).ip_address == "10.0.0.2"

    settings.SOSA_TRUST_X_FORWARDED_FOR = True
    sign_in_with_password(client_at("10.0.0.2", **forged), "nobody2", "x")
    # The last hop is the one the trusted proxy added; earlier hops are the client's word.
    assert AuditEntry.objects.get(username="nobody2").ip_address == "198.51.100.20"


def test_two_factor_enrolment_is_recorded(people):
    client = client_at("203.0.113.9")
    sign_in_with_password(client, "requester.in")
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=people.requester_in)
    assert client.post("/account/two-factor/", {"code": code_for(device)}).status_code == 200
    entry = only(AuditKind.TWO_FACTOR_ENROLLED)
    assert (entry.actor, entry.ip_address) == (people.requester_in, "203.0.113.9")


def test_token_creation_and_revocation_on_the_tokens_page_are_recorded(people):
    client = client_at("203.0.113.8")
    client.force_login(people.requester_in)
    response = client.post("/account/tokens/", {"name": "ERP connector", "expires_in_days": ""})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=people.requester_in)
    created = only(AuditKind.TOKEN_CREATED)
    assert (created.actor, created.ip_address) == (people.requester_in, "203.0.113.8")
    assert created.detail["token_id"] == token.pk
    assert created.detail["token_name"] == "ERP connector"
    assert token.key_hint in created.detail["key_hint"]

    client.post(f"/account/tokens/{token.pk}/revoke/")
    revoked = only(AuditKind.TOKEN_REVOKED)
    assert (revoked.actor, revoked.ip_address) == (people.requester_in, "203.0.113.8")
    assert revoked.detail["token_id"] == token.pk
    client.post(f"/account/tokens/{token.pk}/revoke/")  # again: nothing more happens
    assert AuditEntry.objects.filter(kind=AuditKind.TOKEN_REVOKED).count() == 1


def test_a_token_issued_on_the_command_line_is_recorded_as_such(people):
    call_command(
        "issue_token", "requester.in", "--name", "cron", "--no-expiry", stdout=io.StringIO()
    )
    entry = only(AuditKind.TOKEN_CREATED)
    assert entry.actor == people.requester_in
    assert entry.ip_address is None
    assert entry.user_agent == "command line"
    assert entry.detail["via"] == "command line"
    assert entry.detail["token_name"] == "cron"


# Export


def test_staff_export_holds_account_entries_and_request_events_in_time_order(
    people, make_request, staff
):
    sign_in_with_password(client_at("192.0.2.50"), '=HYPERLINK("http://evil")', "x")
    request = make_request("in_review")
    rows = export_rows(staff)
    kinds = [(row["source"], row["kind"]) for row in rows]
    assert ("account", "sign_in_failed") in kinds
    assert ("request", "submit") in kinds and ("request", "triage") in kinds
    assert [row["time"] for row in rows] == sorted(row["time"] for row in rows)
    triage = next(row for row in rows if row["kind"] == "triage")
    assert (triage["request"], triage["actor"]) == (request.reference, "liaison.us")
    assert (triage["from_state"], triage["to_state"]) == ("submitted", "in_review")
    failed = next(row for row in rows if row["kind"] == "sign_in_failed")
    assert failed["ip_address"] == "192.0.2.50"
    assert failed["username"].startswith("'=")  # no spreadsheet formula


def test_export_filters_by_date_range(people, make_request, staff):
    make_request("submitted")
    today = timezone.localdate()
    assert export_rows(staff, **{"from": today.isoformat(), "to": today.isoformat()})
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert export_rows(staff, **{"from": tomorrow}) == []
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert export_rows(staff, to=yesterday) == []


def test_export_is_a_404_for_anyone_but_staff(people):
    assert Client().get(EXPORT).status_code == 404
    client = Client()
    client.force_login(people.liaison_us)
    assert client.get(EXPORT).status_code == 404
