"""Administrators and the second factor (pen-test finding 7): staff and superusers need one too,
the admin is closed to a session that owes it, and administrators issue invitations and reset
lost devices from the user list — each an audit entry."""

import re

import pytest
from axes.utils import reset as reset_lockouts
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.accounts import two_factor
from partners.accounts.invitations import issue_invitation, normalise
from partners.models import AuditEntry, AuditKind, TwoFactorInvitation
from tests.helpers import PASSWORD, code_for, enrolled, sign_in, sign_in_with_password

pytestmark = pytest.mark.django_db
User = get_user_model()
USERS = reverse("admin:auth_user_changelist")


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.DEBUG = False
    settings.SOSA_DEMO_SKIP_2FA = False
    settings.SOSA_REQUIRE_2FA_FOR_ALL = False
    reset_lockouts()
    yield
    reset_lockouts()


@pytest.fixture
def chief(db):
    return User.objects.create_superuser("chief", "chief@example.org", PASSWORD)


@pytest.fixture
def admin_client(chief) -> Client:
    client = Client()
    sign_in(client, chief)
    return client


# --- staff need the second factor ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["staff", "superuser"])
def test_staff_without_a_device_are_sent_to_enrolment_and_kept_out_of_the_admin(client, kind):
    flags = {"is_staff": True} | ({"is_superuser": True} if kind == "superuser" else {})
    User.objects.create_user("ops", "ops@example.org", PASSWORD, **flags)

    signed_in = sign_in_with_password(client, "ops")

    assert signed_in["Location"] == "/account/two-factor/?next=/"
    for path in ["/admin/", "/admin/auth/user/", "/audit/export.csv"]:
        assert client.get(path)["Location"].startswith("/account/two-factor/?next="), path
    assert "second-factor invitation" in client.get("/account/two-factor/").content.decode()
    assert client.get("/api/v1/me/").status_code == 403


def test_staff_with_a_device_give_the_code_before_the_admin(client, chief):
    device = enrolled(chief)
    sign_in_with_password(client, "chief")
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/verify/")
    client.post("/account/two-factor/verify/", {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_does_not_skip_the_second_factor(client, chief):
    client.post("/admin/login/?next=/admin/", {"username": "chief", "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/")


def test_the_admin_site_itself_refuses_a_session_that_owes_the_second_factor(chief):
    request = RequestFactory().get("/admin/")
    request.user = chief
    chief.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    chief.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_the_demo_waives_staff_enrolment_as_everyone_elses(client, chief, settings):
    settings.DEBUG, settings.SOSA_DEMO_SKIP_2FA = True, True
    assert not two_factor.required_for(chief)
    sign_in_with_password(client, "chief")
    assert client.get("/admin/").status_code == 200


# --- invitations from the user list -------------------------------------------------------------


def test_an_administrator_issues_an_invitation_shown_once_and_audited(admin_client, people):
    liaison = people.liaison_us
    response = admin_client.post(
        USERS, {"action": "issue_invitations", "_selected_action": [liaison.pk]}
    )

    assert response.status_code == 200
    html = response.content.decode()
    link = re.search(r'<code class="invitation-link">http://testserver(/\S+/)</code>', html)
    code = re.search(r'<code class="invitation-code">([A-Z2-7-]{19})</code>', html).group(1)
    assert link.group(1) == f"/account/two-factor/invite/{normalise(code)}/"
    invitation = TwoFactorInvitation.objects.get(user=liaison)
    assert invitation.code_hash == TwoFactorInvitation.hash_code(normalise(code))
    entry = AuditEntry.objects.get(kind=AuditKind.TWO_FACTOR_INVITED)
    assert entry.actor.username == "chief"
    assert entry.detail["user"] == "liaison.us" and entry.detail["via"] == "admin"
    listed = admin_client.get(reverse("admin:partners_twofactorinvitation_changelist"))
    assert "liaison.us" in listed.content.decode() and code not in listed.content.decode()

    officer = Client()
    sign_in_with_password(officer, "liaison.us")
    officer.get(link.group(1))
    officer.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=liaison)
    assert officer.post("/account/two-factor/", {"code": code_for(device)}).status_code == 200
    assert officer.get("/queue/").status_code == 200


def test_inviting_someone_who_has_a_device_is_refused_with_a_message(admin_client, people):
    enrolled(people.liaison_us)
    response = admin_client.post(
        USERS, {"action": "issue_invitations", "_selected_action": [people.liaison_us.pk]}
    )
    assert response.status_code == 302
    messages = [str(m) for m in admin_client.get(response["Location"]).context["messages"]]
    assert any("already has two-factor sign-in: reset it first" in m for m in messages)
    assert not TwoFactorInvitation.objects.exists()


def test_a_password_only_session_cannot_issue_itself_an_invitation(client, chief, people):
    sign_in_with_password(client, "chief")
    client.post(USERS, {"action": "issue_invitations", "_selected_action": [chief.pk]})
    assert not TwoFactorInvitation.objects.exists()


# --- resets -------------------------------------------------------------------------------------


def test_a_reset_asks_first_then_removes_the_devices_and_is_audited(admin_client, people):
    liaison = people.liaison_us
    officer = Client()
    sign_in(officer, liaison)
    two_factor.make_recovery_codes(liaison)
    open_invitation = TwoFactorInvitation.objects.create(
        user=people.reviewer_us, code_hash="x" * 64, expires_at="2099-01-01T00:00Z"
    )
    chosen = {"action": "reset_second_factors", "_selected_action": [liaison.pk]}

    asked = admin_client.post(USERS, chosen)
    assert asked.status_code == 200 and "Reset the second factor of these people?" in (
        asked.content.decode()
    )
    assert TOTPDevice.objects.filter(user=liaison).exists()

    done = admin_client.post(USERS, chosen | {"post": "yes"})

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=liaison).exists()
    assert not StaticDevice.objects.filter(user=liaison).exists()
    entry = AuditEntry.objects.get(kind=AuditKind.TWO_FACTOR_RESET)
    assert entry.actor.username == "chief"
    assert entry.detail["user"] == "liaison.us" and entry.detail["devices_removed"] == 2
    open_invitation.refresh_from_db()
    assert open_invitation.voided_at is None  # someone else's
    # The officer's session no longer counts as verified: held until a new invitation.
    held = officer.get("/queue/")
    assert held["Location"].startswith("/account/two-factor/?next=")
    assert "second-factor invitation" in officer.get("/account/two-factor/").content.decode()


def test_a_reset_voids_open_invitations_and_can_issue_new_ones_at_once(admin_client, people):
    liaison = people.liaison_us
    old, _ = issue_invitation(liaison)
    chosen = {"action": "reset_second_factors", "_selected_action": [liaison.pk], "post": "yes"}

    response = admin_client.post(USERS, chosen | {"then_invite": "1"})

    old.refresh_from_db()
    assert old.voided_at is not None
    assert response.status_code == 200 and 'class="invitation-code"' in response.content.decode()
    assert TwoFactorInvitation.objects.usable().get(user=liaison) != old
    kinds = list(AuditEntry.objects.values_list("kind", flat=True).order_by("id"))
    assert kinds[-2:] == [AuditKind.TWO_FACTOR_RESET, AuditKind.TWO_FACTOR_INVITED]


def test_devices_are_changed_only_through_the_audited_actions(admin_client):
    assert TOTPDevice not in admin.site._registry
    assert StaticDevice not in admin.site._registry
    invitation_admin = admin.site._registry[TwoFactorInvitation]
    request = RequestFactory().get("/admin/")
    assert not invitation_admin.has_add_permission(request)
    assert not invitation_admin.has_change_permission(request)
    assert not invitation_admin.has_delete_permission(request)
    users = admin_client.get(USERS).content.decode()
    assert "Issue second-factor invitation" in users and "Reset second factor" in users
