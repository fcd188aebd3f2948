"""Recovery codes (pen-test finding 7): ten single-use codes shown once when a device is set up,
each signing in once in place of the app's code, made anew from the two-factor page."""

import re

import pytest
from axes.utils import reset as reset_lockouts
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.accounts import two_factor
from partners.models import AuditEntry, AuditKind
from tests.helpers import code_for, enrolled, invited, sign_in, sign_in_with_password

pytestmark = pytest.mark.django_db
CODE = re.compile(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>")


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.DEBUG = False
    settings.SOSA_DEMO_SKIP_2FA = False
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # tests of the slow-down set their own
    reset_lockouts()
    yield
    reset_lockouts()


def with_recovery_codes(user) -> list[str]:
    enrolled(user)
    return two_factor.make_recovery_codes(user)


def recover(client, code: str, next_url: str = "/"):
    return client.post(f"/account/two-factor/verify/?next={next_url}", {"recovery_code": code})


def test_setting_up_a_device_shows_ten_recovery_codes_once(client, people):
    sign_in_with_password(client, "liaison.us")
    invited(client, people.liaison_us)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=people.liaison_us)

    response = client.post("/account/two-factor/", {"code": code_for(device)})

    codes = CODE.findall(response.content.decode())
    assert len(codes) == len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=people.liaison_us).values_list("token"))
    assert stored == {(code.replace("-", ""),) for code in codes}
    status = client.get("/account/two-factor/").content.decode()
    assert not CODE.search(status) and "10 unused" in status


def test_a_recovery_code_signs_in_once_and_not_twice(client, people):
    codes = with_recovery_codes(people.liaison_us)
    sign_in_with_password(client, "liaison.us")

    response = recover(client, codes[3], "/queue/")

    assert response.status_code == 302 and response["Location"] == "/queue/"
    assert client.get("/queue/").status_code == 200
    entry = AuditEntry.objects.get(kind=AuditKind.RECOVERY_CODE_USED)
    assert entry.actor == people.liaison_us and entry.detail == {"codes_left": 9}
    assert two_factor.recovery_codes_left(people.liaison_us) == 9

    again = Client()
    sign_in_with_password(again, "liaison.us")
    replayed = recover(again, codes[3])
    assert replayed.status_code == 200
    assert "That recovery code is not right, or it was used before" in replayed.content.decode()
    assert again.get("/").status_code == 302
    assert AuditEntry.objects.filter(kind=AuditKind.RECOVERY_CODE_USED).count() == 1


def test_a_recovery_code_may_be_typed_in_capitals_or_without_its_dash(people):
    codes = with_recovery_codes(people.liaison_us)
    for typed in [codes[0].upper(), codes[1].replace("-", ""), f" {codes[2].replace('-', ' ')} "]:
        client = Client()
        sign_in_with_password(client, "liaison.us")
        assert recover(client, typed).status_code == 302, typed


def test_the_verify_page_offers_a_recovery_code_and_says_what_went_wrong(client, people):
    with_recovery_codes(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    page = client.get("/account/two-factor/verify/").content.decode()
    assert 'name="recovery_code"' in page and "Use a recovery code" in page
    malformed = recover(client, "not a code!").content.decode()
    assert 'id="id_recovery_code_error"' in malformed
    assert '<details class="action" open>' in malformed  # the recovery form stays open


def test_wrong_recovery_codes_in_a_row_are_slowed_down(client, people, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 60
    codes = with_recovery_codes(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    recover(client, "aaaa-aaaa" if "aaaa-aaaa" not in codes else "bbbb-bbbb")
    response = recover(client, codes[0])
    assert "Too many wrong codes" in response.content.decode()
    assert client.get("/").status_code == 302
    assert two_factor.recovery_codes_left(people.liaison_us) == 10


def test_new_recovery_codes_replace_the_old_ones(client, people):
    sign_in(client, people.liaison_us)
    old = two_factor.make_recovery_codes(people.liaison_us)

    response = client.post("/account/two-factor/recovery-codes/")

    new = CODE.findall(response.content.decode())
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert AuditEntry.objects.get(kind=AuditKind.RECOVERY_CODES_MADE).detail == {"count": 10}
    stale = Client()
    sign_in_with_password(stale, "liaison.us")
    assert recover(stale, old[0]).status_code == 200
    assert recover(stale, new[0]).status_code == 302


def test_making_new_codes_needs_a_session_that_passed_the_second_factor(client, people):
    old = with_recovery_codes(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    response = client.post("/account/two-factor/recovery-codes/")
    assert response["Location"].startswith("/account/two-factor/verify/")
    assert two_factor.recovery_codes_left(people.liaison_us) == 10
    assert recover(client, old[0]).status_code == 302  # the old codes still work
    assert not AuditEntry.objects.filter(kind=AuditKind.RECOVERY_CODES_MADE).exists()


def test_a_session_signed_in_with_a_recovery_code_may_make_new_ones_and_stays_in(client, people):
    codes = with_recovery_codes(people.liaison_us)
    sign_in_with_password(client, "liaison.us")
    recover(client, codes[0])
    assert client.post("/account/two-factor/recovery-codes/").status_code == 200
    assert client.get("/").status_code == 200
    assert two_factor.recovery_codes_left(people.liaison_us) == 10


def test_the_status_page_warns_when_few_codes_are_left(client, people):
    codes = with_recovery_codes(people.liaison_us)
    for code in codes[:8]:
        assert two_factor.use_recovery_code(people.liaison_us, code) is not None
    sign_in(client, people.liaison_us)
    html = client.get("/account/two-factor/").content.decode()
    assert "2 unused" in html and "running out of recovery codes" in html
