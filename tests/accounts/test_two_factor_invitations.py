"""Second-factor enrolment needs an administrator's invitation (pen-test finding 7).

A liaison officer or reviewer without a device used to be shown the TOTP secret right after the
password, so whoever learnt the password first bound the factor. Now a session that gave only the
password sees no secret and confirms no device unless it holds a usable invitation: single use,
expiring, for its own account, void once a newer one is issued.
"""

import datetime as dt
import io
import re

import pytest
import time_machine
from axes.utils import reset as reset_lockouts
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.accounts import invitations, two_factor
from partners.accounts.invitations import (
    AlreadyEnrolled,
    grouped,
    invite_path,
    issue_invitation,
    normalise,
)
from partners.models import AuditEntry, AuditKind, TwoFactorInvitation
from tests.helpers import code_for, enrolled, invited, sign_in_with_password

pytestmark = pytest.mark.django_db
NEEDED = "Ask your administrator for a second-factor invitation"
NOT_VALID = "This invitation cannot be used"


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.DEBUG = False
    settings.SOSA_DEMO_SKIP_2FA = False
    settings.SOSA_REQUIRE_2FA_FOR_ALL = False
    reset_lockouts()
    yield
    reset_lockouts()


@pytest.fixture
def administrator(db):
    return get_user_model().objects.create_superuser("chief", "chief@example.org", "pw-admin-9")


def shows_a_secret(response) -> bool:
    html = response.content.decode()
    return '<div class="qr">' in html or 'class="secret"' in html


def enrol(client, user, *, next_url: str = ""):
    """Confirm the device being set up with the app's current code: the response."""
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    data = {"code": code_for(device)} | ({"next": next_url} if next_url else {})
    return client.post("/account/two-factor/", data)


# --- the password alone -------------------------------------------------------------------------


def test_a_liaison_with_only_the_password_sees_no_secret(client, people):
    assert sign_in_with_password(client, "liaison.us")["Location"] == "/account/two-factor/?next=/"

    page = client.get("/account/two-factor/?next=/")

    assert page.status_code == 200
    assert NEEDED in page.content.decode()
    assert not shows_a_secret(page)
    assert not TOTPDevice.objects.filter(user=people.liaison_us).exists()
    assert client.get("/queue/")["Location"].startswith("/account/two-factor/")


def test_a_reviewer_with_only_the_password_sees_no_secret_either(client, people):
    sign_in_with_password(client, "reviewer.us")
    page = client.get("/account/two-factor/")
    assert NEEDED in page.content.decode() and not shows_a_secret(page)


def test_a_password_only_session_cannot_confirm_a_device_by_posting_a_code(client, people):
    # A device half set up before this rule (its secret shown to whoever had the password).
    seen = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=False)
    sign_in_with_password(client, "liaison.us")

    response = client.post("/account/two-factor/", {"code": code_for(seen)})

    assert response.status_code == 403
    assert NEEDED in response.content.decode() and not shows_a_secret(response)
    seen.refresh_from_db()
    assert not seen.confirmed
    assert client.get("/").status_code == 302
    assert not AuditEntry.objects.filter(kind=AuditKind.TWO_FACTOR_ENROLLED).exists()


def test_the_page_says_whom_to_ask_and_how_long_an_invitation_lasts(client, people):
    sign_in_with_password(client, "liaison.in")
    html = client.get("/account/two-factor/").content.decode()
    assert 'href="mailto:sosa-help@defence.in.example"' in html
    assert "valid for 72 hours" in html
    assert 'name="invitation"' in html  # a code may be typed instead of following a link


def test_the_demo_still_enrols_without_an_invitation(client, people, settings):
    settings.DEBUG, settings.SOSA_DEMO_SKIP_2FA = True, True
    sign_in_with_password(client, "liaison.us")
    page = client.get("/account/two-factor/")
    assert shows_a_secret(page) and "Demo mode" in page.content.decode()
    assert enrol(client, people.liaison_us).status_code == 200
    assert TOTPDevice.objects.get(user=people.liaison_us).confirmed


# --- a valid invitation -------------------------------------------------------------------------


def test_a_valid_invitation_lets_that_session_enrol(client, people, administrator):
    invitation, code = issue_invitation(people.liaison_us, by=administrator)
    sign_in_with_password(client, "liaison.us")

    followed = client.get(invite_path(code) + "?next=/queue/")
    assert followed.status_code == 302
    assert followed["Location"] == "/account/two-factor/?next=%2Fqueue%2F"
    page = client.get(followed["Location"])
    assert shows_a_secret(page)
    assert "setting up with an administrator" in page.content.decode()

    done = enrol(client, people.liaison_us, next_url="/queue/")

    assert done.status_code == 200 and "Your recovery codes" in done.content.decode()
    assert TOTPDevice.objects.get(user=people.liaison_us).confirmed
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert client.get("/queue/").status_code == 200
    entry = AuditEntry.objects.get(kind=AuditKind.TWO_FACTOR_ENROLLED)
    assert entry.actor == people.liaison_us
    assert entry.detail["invitation"] == invitation.pk
    assert entry.detail["issued_by"] == "chief"


def test_a_link_followed_before_signing_in_leads_back_to_itself(client, people):
    _, code = issue_invitation(people.liaison_us)
    link = invite_path(code)
    to_sign_in = client.get(link)
    assert to_sign_in["Location"].startswith("/accounts/login/?next=")

    signed_in = client.post(
        "/accounts/login/", {"username": "liaison.us", "password": "pw-for-tests-1", "next": link}
    )

    assert signed_in["Location"] == link
    assert client.get(link)["Location"] == "/account/two-factor/"
    assert shows_a_secret(client.get("/account/two-factor/"))


def test_a_typed_code_works_like_the_link_in_any_case_and_with_dashes(client, people):
    _, code = issue_invitation(people.liaison_us)
    sign_in_with_password(client, "liaison.us")

    typed = client.post(
        "/account/two-factor/invite/", {"invitation": f" {grouped(code).lower()} ", "next": "/"}
    )

    assert typed["Location"] == "/account/two-factor/?next=%2F"
    assert shows_a_secret(client.get("/account/two-factor/"))


def test_a_wrong_typed_code_is_refused_by_the_field(client, people):
    issue_invitation(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    response = client.post("/account/two-factor/invite/", {"invitation": "ABCD-EFGH-JKLM-NPQR"})
    html = response.content.decode()
    assert 'id="id_invitation_error"' in html and NOT_VALID in html
    assert not shows_a_secret(client.get("/account/two-factor/"))


def test_only_a_hash_of_the_code_is_stored(people):
    invitation, code = issue_invitation(people.liaison_us)
    assert re.fullmatch(r"[A-Z2-7]{16}", code)
    assert invitation.code_hash == TwoFactorInvitation.hash_code(code) != code
    stored = TwoFactorInvitation.objects.filter(pk=invitation.pk).values().get()
    assert code not in str(stored)
    assert code not in str(AuditEntry.objects.get(kind=AuditKind.TWO_FACTOR_INVITED).detail)


# --- used, expired, voided, someone else's ------------------------------------------------------


def refused(client, code: str) -> None:
    response = client.get(invite_path(code))
    assert response.status_code == 200 and NOT_VALID in response.content.decode()
    assert not shows_a_secret(client.get("/account/two-factor/"))


def test_a_used_invitation_is_refused(client, people):
    _, code = issue_invitation(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    client.get(invite_path(code))
    client.get("/account/two-factor/")
    enrol(client, people.liaison_us)
    TOTPDevice.objects.filter(user=people.liaison_us).delete()  # the phone is lost

    again = Client()
    sign_in_with_password(again, "liaison.us")
    refused(again, code)


def test_an_expired_invitation_is_refused(client, people, settings):
    settings.SOSA_2FA_INVITE_HOURS = 2
    _, code = issue_invitation(people.liaison_us)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2, minutes=1)):
        sign_in_with_password(client, "liaison.us")
        refused(client, code)


def test_an_invitation_that_expires_on_the_page_confirms_nothing(client, people, settings):
    settings.SOSA_2FA_INVITE_HOURS = 1
    sign_in_with_password(client, "liaison.us")
    invited(client, people.liaison_us)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=people.liaison_us)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        response = client.post("/account/two-factor/", {"code": code_for(device)})
    assert response.status_code == 403 and NEEDED in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_a_newer_invitation_voids_the_older_one(client, people):
    first, old_code = issue_invitation(people.liaison_us)
    _, new_code = issue_invitation(people.liaison_us)
    first.refresh_from_db()
    assert first.voided_at is not None and first.status == "void"
    sign_in_with_password(client, "liaison.us")
    refused(client, old_code)
    assert client.get(invite_path(new_code))["Location"] == "/account/two-factor/"


def test_a_session_holding_an_invitation_loses_it_when_a_newer_one_is_issued(client, people):
    sign_in_with_password(client, "liaison.us")
    invited(client, people.liaison_us)
    issue_invitation(people.liaison_us)
    assert not shows_a_secret(client.get("/account/two-factor/"))


def test_an_invitation_works_for_its_own_account_only(client, people):
    _, code = issue_invitation(people.liaison_us)
    sign_in_with_password(client, "liaison.in")
    refused(client, code)
    assert TwoFactorInvitation.objects.usable().count() == 1


def test_two_sessions_holding_one_invitation_cannot_both_use_it(people):
    _, code = issue_invitation(people.liaison_us)
    first, second = Client(), Client()
    for client in (first, second):
        sign_in_with_password(client, "liaison.us")
        client.get(invite_path(code))
        assert shows_a_secret(client.get("/account/two-factor/"))
    assert enrol(first, people.liaison_us).status_code == 200
    late = second.get("/account/two-factor/")
    assert late["Location"].startswith("/account/two-factor/verify/")  # the code step, no secret


def test_an_invitation_used_meanwhile_confirms_no_device(people):
    invitation, _ = issue_invitation(people.liaison_us)
    device = two_factor.pending_device(people.liaison_us)
    assert invitations.use(invitation)  # another session was quicker
    with pytest.raises(two_factor.InvitationGone):
        two_factor.confirm(device, code_for(device), invitation=invitation)
    device.refresh_from_db()
    assert not device.confirmed
    assert not invitations.use(invitation)


def test_issuing_forgets_a_device_half_set_up_and_refuses_someone_enrolled(people):
    seen = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=False)
    issue_invitation(people.liaison_us)
    assert not TOTPDevice.objects.filter(pk=seen.pk).exists()
    enrolled(people.reviewer_us)
    with pytest.raises(AlreadyEnrolled):
        issue_invitation(people.reviewer_us)
    assert not TwoFactorInvitation.objects.filter(user=people.reviewer_us).exists()


def test_someone_enrolled_who_follows_a_link_keeps_their_device_and_the_invitation(client, people):
    invitation, code = issue_invitation(people.liaison_us)
    enrolled(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    assert client.get(invite_path(code))["Location"] == "/account/two-factor/"
    invitation.refresh_from_db()
    assert invitation.status == "open"


# --- the command line ---------------------------------------------------------------------------


def test_the_command_prints_a_working_link_and_code_once_and_is_audited(client, people):
    out = io.StringIO()
    call_command("invite_2fa", "liaison.us", stdout=out)
    printed = out.getvalue()
    link = re.search(r"^Link: http://127\.0\.0\.1:8000(/\S+)$", printed, re.M).group(1)
    code = re.search(r"^Code: (\S+)$", printed, re.M).group(1)
    assert link == invite_path(normalise(code))
    entry = AuditEntry.objects.get(kind=AuditKind.TWO_FACTOR_INVITED)
    assert (entry.actor, entry.username, entry.user_agent) == (None, "liaison.us", "command line")
    assert entry.detail["user"] == "liaison.us" and entry.detail["via"] == "command line"

    sign_in_with_password(client, "liaison.us")
    client.get(link)
    assert shows_a_secret(client.get("/account/two-factor/"))
    assert enrol(client, people.liaison_us).status_code == 200


def test_the_command_refuses_unknown_users_and_people_with_a_device(people):
    with pytest.raises(CommandError, match="No active user"):
        call_command("invite_2fa", "nobody", stdout=io.StringIO())
    enrolled(people.liaison_us)
    with pytest.raises(CommandError, match="reset it first"):
        call_command("invite_2fa", "liaison.us", stdout=io.StringIO())
