"""Sign-in, second factor, lock-out, passwords and API tokens, through the pages (DESIGN §8)."""

import datetime as dt
import re
from base64 import b32encode

import pytest
import time_machine
from axes.utils import reset as reset_lockouts
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.accounts.tokens import issue_token
from partners.models import ApiToken
from tests.helpers import PASSWORD, code_for, enrolled, invited, sign_in, sign_in_with_password

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_lockouts():
    """Lock-outs are rows and cache entries of django-axes: no test inherits another's."""
    reset_lockouts()
    yield
    reset_lockouts()


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.DEBUG = False
    settings.SOSA_DEMO_SKIP_2FA = False
    settings.SOSA_REQUIRE_2FA_FOR_ALL = False


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if code_for(device) != "000000" else "111111"


# --- signing in and out -------------------------------------------------------------------------


def test_the_sign_in_page_is_a_finished_form_posting_username_and_password(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert 'href="/accounts/password_reset/"' in html


def test_a_requester_signs_in_with_the_password_and_lands_on_the_home_page(client, people):
    response = sign_in_with_password(client, "requester.in")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_is_refused_with_a_clear_message(client, people):
    response = sign_in_with_password(client, "requester.in", "not-the-password")
    assert response.status_code == 200
    assert "The user name or password is not right" in response.content.decode()
    assert client.get("/").status_code == 302


def test_pages_need_a_signed_in_user(client):
    for url in ["/", "/notifications/", "/account/tokens/", "/account/two-factor/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_signing_out_is_a_post_that_ends_the_session(client, people):
    sign_in_with_password(client, "requester.in")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_a_signed_in_user_changes_their_password(client, people):
    sign_in_with_password(client, "requester.in")
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200 and 'name="old_password"' in page.content.decode()
    new = "a-much-longer-passphrase-7"
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    people.requester_in.refresh_from_db()
    assert people.requester_in.check_password(new)


def test_a_password_change_with_a_wrong_old_password_shows_the_error_by_the_field(client, people):
    sign_in_with_password(client, "requester.in")
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "x-long-pass-9",
            "new_password2": "x-long-pass-9",
        },
    )
    assert response.status_code == 200
    assert 'id="id_old_password_error"' in response.content.decode()


def test_a_password_reset_sends_an_email_whose_link_sets_a_new_password(client, people):
    response = client.post("/accounts/password_reset/", {"email": "requester.in@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["requester.in@example.org"]
    assert "SOSA Portal" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    new = "reset-passphrase-long-4"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your new password is set" in done.content.decode()
    assert sign_in_with_password(Client(), "requester.in", new)["Location"] == "/"


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, people):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_sessions_end_after_eight_idle_hours(client, people, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert "partners.accounts.middleware.SlidingSessionMiddleware" in settings.MIDDLEWARE
    sign_in_with_password(client, "requester.in")
    assert client.cookies["sessionid"]["max-age"] == 8 * 60 * 60
    client.get("/")  # each request renews the cookie: the age is an idle timeout
    assert client.cookies["sessionid"]["max-age"] == 8 * 60 * 60


# --- two-factor enrolment -----------------------------------------------------------------------


def test_the_enrolment_page_shows_a_qr_code_drawn_as_inline_svg_and_the_secret(client, people):
    sign_in_with_password(client, "requester.in")
    invited(client, people.requester_in)
    response = client.get("/account/two-factor/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<div class="qr"><svg role="img" aria-label="[^"]+"', html)
    assert "<img" not in html.split('<div class="qr">')[1].split("</div>")[0]
    device = TOTPDevice.objects.get(user=people.requester_in, confirmed=False)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    assert "chart.googleapis" not in html and "api.qrserver" not in html


def test_reloading_the_enrolment_page_keeps_the_same_secret(client, people):
    sign_in_with_password(client, "requester.in")
    invited(client, people.requester_in)
    client.get("/account/two-factor/")
    client.get("/account/two-factor/")
    assert TOTPDevice.objects.filter(user=people.requester_in).count() == 1


def test_confirming_with_the_right_code_turns_two_factor_on(client, people):
    sign_in_with_password(client, "requester.in")
    invited(client, people.requester_in)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=people.requester_in)
    response = client.post("/account/two-factor/", {"code": code_for(device)})
    assert response.status_code == 200  # the recovery codes, shown in this answer only
    assert "Your recovery codes" in response.content.decode()
    assert re.search(r'<a class="button" href="/">', response.content.decode())
    device.refresh_from_db()
    assert device.confirmed
    status = client.get("/account/two-factor/")
    assert status.status_code == 200 and "Two-factor sign-in" in status.content.decode()


def test_a_code_typed_with_a_space_is_accepted(client, people):
    sign_in_with_password(client, "requester.in")
    invited(client, people.requester_in)
    client.get("/account/two-factor/")
    code = code_for(TOTPDevice.objects.get(user=people.requester_in))
    client.post("/account/two-factor/", {"code": f"{code[:3]} {code[3:]}"})
    assert TOTPDevice.objects.get(user=people.requester_in).confirmed


def test_a_wrong_code_leaves_the_device_unconfirmed(client, people):
    sign_in_with_password(client, "requester.in")
    invited(client, people.requester_in)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=people.requester_in)
    response = client.post("/account/two-factor/", {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_a_code_that_is_not_six_digits_is_refused_by_the_form(client, people):
    sign_in_with_password(client, "requester.in")
    invited(client, people.requester_in)
    response = client.post("/account/two-factor/", {"code": "12ab"})
    assert "Enter the 6 digits" in response.content.decode()


# --- who must use the second factor --------------------------------------------------------------


def test_a_liaison_without_a_device_is_sent_to_enrolment_after_sign_in(client, people):
    response = sign_in_with_password(client, "liaison.us")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/?next=/"
    for url in ["/", "/requests/", "/notifications/", "/account/tokens/", "/admin/"]:
        held = client.get(url)
        assert held.status_code == 302, url
        assert held["Location"].startswith("/account/two-factor/?next="), url
    page = client.get("/account/two-factor/?next=/")
    assert page.status_code == 200
    assert "Your role requires a code" in page.content.decode()


def test_a_liaison_who_enrols_may_use_the_portal_at_once(client, people):
    sign_in_with_password(client, "liaison.us")
    invited(client, people.liaison_us)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=people.liaison_us)
    response = client.post("/account/two-factor/", {"code": code_for(device), "next": "/queue/"})
    assert '<a class="button" href="/queue/">' in response.content.decode()
    assert client.get("/").status_code == 200


def test_a_liaison_with_a_device_must_pass_the_code_step(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the right
    device = enrolled(people.liaison_us)
    response = sign_in_with_password(client, "liaison.us")
    assert response["Location"] == "/account/two-factor/verify/?next=/"
    assert client.get("/")["Location"].startswith("/account/two-factor/verify/")
    assert client.get("/account/two-factor/")["Location"].startswith("/account/two-factor/verify/")

    refused = client.post("/account/two-factor/verify/?next=/", {"code": wrong_code(device)})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert client.get("/").status_code == 302

    passed = client.post("/account/two-factor/verify/?next=/", {"code": code_for(device)})
    assert passed.status_code == 302 and passed["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_code_is_accepted_once_only(client, people):
    device = enrolled(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    code = code_for(device)
    client.post("/account/two-factor/verify/", {"code": code})
    other = Client()
    sign_in_with_password(other, "liaison.us")
    replayed = other.post("/account/two-factor/verify/", {"code": code})
    assert replayed.status_code == 200
    assert other.get("/").status_code == 302


def test_wrong_codes_in_a_row_are_slowed_down(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after one wrong code: no race with the test
    device = enrolled(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    client.post("/account/two-factor/verify/", {"code": wrong_code(device)})
    response = client.post("/account/two-factor/verify/", {"code": code_for(device)})
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_verify_link_never_sends_people_off_site(client, people):
    device = enrolled(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    response = client.post(
        "/account/two-factor/verify/?next=https://evil.example/", {"code": code_for(device)}
    )
    assert response["Location"] == "/"


def test_a_reviewer_is_held_too_and_a_requester_is_not(client, people):
    client.force_login(people.reviewer_us)
    assert client.get("/")["Location"].startswith("/account/two-factor/")
    requester = Client()
    requester.force_login(people.requester_in)
    assert requester.get("/").status_code == 200


def test_a_requester_who_enrolled_gives_the_code_too(client, people):
    enrolled(people.requester_in)
    assert (
        sign_in_with_password(client, "requester.in")["Location"]
        == "/account/two-factor/verify/?next=/"
    )
    assert client.get("/notifications/").status_code == 302


def test_a_setting_requires_two_factor_for_everyone(client, people, settings):
    settings.SOSA_REQUIRE_2FA_FOR_ALL = True
    client.force_login(people.requester_in)
    assert client.get("/")["Location"].startswith("/account/two-factor/")


@pytest.mark.parametrize(
    ("debug", "skip", "held"),
    [(True, True, False), (True, False, True), (False, True, True), (False, False, True)],
)
def test_demo_users_skip_enrolment_only_with_debug_and_the_demo_setting(
    client, people, settings, debug, skip, held
):
    settings.DEBUG, settings.SOSA_DEMO_SKIP_2FA = debug, skip
    client.force_login(people.liaison_us)
    response = client.get("/notifications/")
    assert (response.status_code == 302) is held


def test_the_demo_skip_never_skips_the_code_of_someone_who_enrolled(client, people, settings):
    settings.DEBUG, settings.SOSA_DEMO_SKIP_2FA = True, True
    enrolled(people.liaison_us)
    assert sign_in_with_password(client, "liaison.us")["Location"].startswith(
        "/account/two-factor/verify/"
    )


def test_api_calls_on_a_session_without_the_second_factor_are_refused_but_tokens_work(
    client, people
):
    client.force_login(people.liaison_us)
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 403
    assert "errors" in refused.json()
    _, key = issue_token(people.liaison_us, name="agency system")
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_static_files_and_the_health_check_are_not_held(client, people):
    client.force_login(people.liaison_us)
    assert client.get("/healthz").status_code != 302
    assert client.get("/static/css/portal.css").status_code != 302


def test_a_requester_may_turn_two_factor_off_but_a_liaison_may_not(client, people):
    sign_in(client, people.requester_in)
    client.post("/account/two-factor/disable/")
    assert not TOTPDevice.objects.filter(user=people.requester_in).exists()

    liaison = Client()
    sign_in(liaison, people.liaison_us)
    liaison.post("/account/two-factor/disable/")
    assert TOTPDevice.objects.filter(user=people.liaison_us).exists()


# --- lock-out after repeated failures ------------------------------------------------------------


def test_five_failures_lock_the_user_name_with_a_clear_message(client, people):
    for _ in range(4):
        assert sign_in_with_password(client, "requester.in", "wrong").status_code == 200
    locked = sign_in_with_password(client, "requester.in", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in is locked." in html and "Try again later, in 30 minutes" in html
    # Even the right password is refused while locked.
    again = sign_in_with_password(client, "requester.in")
    assert again.status_code == 429
    assert client.get("/").status_code == 302


def test_the_lock_is_for_that_user_name_from_that_address(client, people):
    for _ in range(5):
        sign_in_with_password(client, "requester.in", "wrong")
    assert sign_in_with_password(Client(), "requester2.in")["Location"] == "/"
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert sign_in_with_password(elsewhere, "requester.in")["Location"] == "/"


def test_the_lock_lifts_after_thirty_minutes(client, people):
    for _ in range(5):
        sign_in_with_password(client, "requester.in", "wrong")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert sign_in_with_password(client, "requester.in")["Location"] == "/"


def test_a_successful_sign_in_clears_earlier_failures(client, people):
    for _ in range(4):
        sign_in_with_password(client, "requester.in", "wrong")
    sign_in_with_password(client, "requester.in")
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in_with_password(client, "requester.in", "wrong").status_code == 200


# --- API tokens ---------------------------------------------------------------------------------


def test_the_tokens_page_lists_the_users_own_tokens_only(client, people):
    issue_token(people.requester_in, name="MoD case system")
    issue_token(people.requester_in2, name="Someone else's system")
    client.force_login(people.requester_in)
    response = client.get("/account/tokens/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "MoD case system" in html and "Someone else" not in html
    assert "Active" in html


def test_the_tokens_page_has_a_clear_empty_state(client, people):
    client.force_login(people.requester_in)
    assert "No tokens yet" in client.get("/account/tokens/").content.decode()


def test_creating_a_token_shows_the_key_once_and_stores_only_its_hash(client, people):
    client.force_login(people.requester_in)
    response = client.post("/account/tokens/", {"name": "MoD case system", "expires_in_days": ""})
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'id="new-key" class="token-key" value="(sosa_[^"]+)"', html).group(1)
    assert "shown this once" in html
    token = ApiToken.objects.get(user=people.requester_in)
    assert token.key_hash == ApiToken.hash_key(key) and token.expires_at is None
    assert key not in client.get("/account/tokens/").content.decode()
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_token_may_expire_after_a_number_of_days(client, people):
    client.force_login(people.requester_in)
    client.post("/account/tokens/", {"name": "short-lived", "expires_in_days": "30"})
    token = ApiToken.objects.get(user=people.requester_in)
    expected = timezone.now() + dt.timedelta(days=30)
    assert abs((token.expires_at - expected).total_seconds()) < 60


def test_token_form_errors_are_shown_by_their_fields(client, people):
    client.force_login(people.requester_in)
    response = client.post("/account/tokens/", {"name": "  ", "expires_in_days": "0"})
    html = response.content.decode()
    assert 'id="id_name_error"' in html and 'id="id_expires_in_days_error"' in html
    assert not ApiToken.objects.exists()


def test_revoking_asks_for_confirmation_then_the_token_stops_working(client, people):
    token, key = issue_token(people.requester_in, name="old system")
    client.force_login(people.requester_in)
    confirm = client.get(f"/account/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/account/tokens/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get("/account/tokens/").content.decode()
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_nobody_sees_or_revokes_another_users_token(client, people):
    token, _key = issue_token(people.requester_in2, name="colleague's system")
    client.force_login(people.requester_in)
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_account_pages_link_to_each_other(client, people):
    client.force_login(people.requester_in)
    html = client.get("/account/tokens/").content.decode()
    for url in ["/account/tokens/", "/account/two-factor/", "/accounts/password_change/"]:
        assert f'href="{url}"' in html
