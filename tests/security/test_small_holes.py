"""Issue 17, point 11 (the smaller holes): a per-address limit on sign-ins and on reset mails,
tokens revoked by a password reset, e-mail subjects as typed, `no-store` on what a signed-in
person sees, the placeholder key refused, and DEBUG=0 without collectstatic still serving."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from django.core import mail
from django.test import Client

from partners.accounts import throttles
from partners.accounts.tokens import issue_token
from partners.models import ApiToken
from requests_app import services
from tests.helpers import PASSWORD, client_for, signed_in

from .test_deployment import production_env, run

ROOT = Path(__file__).resolve().parents[2]


def address() -> str:
    """An address of this test's own: the shared cache keeps other tests' counts."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def sign_in(client: Client, username: str, password: str, ip: str):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


# --- sign-in and reset limits -----------------------------------------------------------------


def test_password_spraying_from_one_address_is_stopped_before_the_password_is_checked(
    people, settings
):
    settings.SOSA_SIGNIN_FAILURES_PER_ADDRESS = 6
    ip, client = address(), Client()
    names = ["requester.in", "liaison.in", "reviewer.in", "requester.us", "liaison.us", "x"]
    for name in names:  # one guess per name: no name reaches its own lock
        assert sign_in(client, name, "Winter2026!", ip).status_code == 200

    refused = sign_in(client, "observer.in", PASSWORD, ip)  # even the right password waits

    assert refused.status_code == 429
    assert "Too many failed sign-ins from your address" in refused.content.decode()
    # Another address signs the same person in at once: nobody is locked out from elsewhere.
    elsewhere = sign_in(Client(), "observer.in", PASSWORD, address())
    assert elsewhere.status_code == 302


def test_reset_mails_are_limited_per_address_asked_for_and_the_page_says_the_same(people, settings):
    settings.SOSA_PASSWORD_RESETS_PER_EMAIL = 2
    throttles.reset_mails_to_address().clear("requester.in@example.org")  # earlier tests' mails
    client = Client()
    answers = [
        client.post(
            "/accounts/password_reset/",
            {"email": "requester.in@example.org"},
            REMOTE_ADDR=address(),
        )
        for _ in range(4)
    ]

    assert {a["Location"] for a in answers} == {"/accounts/password_reset/done/"}
    assert len(mail.outbox) == 2


def test_reset_mails_are_limited_per_asking_address(people, settings):
    settings.SOSA_PASSWORD_RESETS_PER_ADDRESS = 2
    ip, client = address(), Client()
    for name in ("requester.in", "liaison.in", "reviewer.in"):
        client.post("/accounts/password_reset/", {"email": f"{name}@example.org"}, REMOTE_ADDR=ip)

    assert len(mail.outbox) == 2


def test_a_password_reset_revokes_every_api_token_of_the_account(people):
    _token, key = issue_token(people.requester_in, name="ERP", expires_at=None)
    client = Client()
    client.post("/accounts/password_reset/", {"email": "requester.in@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "reset-passphrase-long-9"

    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert not ApiToken.objects.usable().filter(user=people.requester_in).exists()
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401


# --- what is shown and sent -------------------------------------------------------------------


def test_an_email_subject_shows_the_title_as_typed(
    people, make_request, django_capture_on_commit_callbacks
):
    title = 'Seals & O-rings <Mk 2> for "Arjun"'
    target = make_request("draft", title=title)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # eager tasks: sent after commit
        services.submit(target, by=people.requester_in)

    assert mail.outbox, "submitting notifies someone"
    assert any(title in message.subject for message in mail.outbox)
    assert not any("&amp;" in m.subject or "&lt;" in m.subject for m in mail.outbox)


def test_what_a_signed_in_person_sees_is_never_stored_by_a_cache(people, make_request):
    target = make_request("submitted")
    page = signed_in(people.liaison_us).get(f"/requests/{target.reference}/")
    api = client_for(people.liaison_us).get(f"/api/v1/requests/{target.reference}/")

    assert "no-store" in page["Cache-Control"]
    assert "no-store" in api["Cache-Control"]


# --- deployment -------------------------------------------------------------------------------


def test_the_placeholder_key_of_env_example_is_refused_like_the_dev_key(tmp_path):
    placeholder = re.search(r"^SECRET_KEY=(.+)$", (ROOT / ".env.example").read_text(), re.M)[1]

    done = run(["manage.py", "check"], production_env(tmp_path, SECRET_KEY=placeholder))

    assert done.returncode != 0
    assert "placeholder key" in done.stderr


PROBE_STATIC = """
import json, re, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="sosa.example.org")
page = client.get("/accounts/login/", secure=True)
css = re.search(r'href="(/static/[^"]+\\.css)"', page.content.decode()).group(1)
from django.contrib.staticfiles.handlers import StaticFilesHandler
print(json.dumps({"status": page.status_code, "css": css}))
"""


def test_debug_off_without_collectstatic_serves_pages_and_unhashed_files(tmp_path):
    env = production_env(tmp_path, STATIC_ROOT=str(tmp_path / "no-collectstatic"))

    done = run(["-c", PROBE_STATIC], env)

    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["status"] == 200
    assert probe["css"] == "/static/css/portal.css"  # unhashed: no manifest to name it
    assert "No static manifest" in done.stderr
    served = run(
        ["-c", SERVE_CSS.replace("CSS", probe["css"])],
        env,
    )
    assert served.returncode == 0, served.stderr[-2000:]
    assert served.stdout.strip().splitlines()[-1] == "200"


def test_collectstatic_with_debug_off_writes_the_manifest_and_pages_then_link_hashed_names(
    tmp_path,
):
    # Choosing the storage by whether a manifest existed once meant collectstatic ran with the
    # plain storage and never wrote one: pages kept the uncacheable names for good.
    env = production_env(tmp_path, STATIC_ROOT=str(tmp_path / "collected"))
    collected = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    assert collected.returncode == 0, collected.stderr[-2000:]
    assert (tmp_path / "collected" / "staticfiles.json").exists()

    done = run(["-c", PROBE_STATIC], env)

    assert done.returncode == 0, done.stderr[-2000:]
    css = json.loads(done.stdout.strip().splitlines()[-1])["css"]
    assert re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", css), css
    assert "No static manifest" not in done.stderr


# The file itself through the WSGI application (whitenoise serves it from the source folder).
SERVE_CSS = """
import io, sys
from sosa_portal.wsgi import application
status = []
environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "CSS", "SERVER_NAME": "sosa.example.org",
           "SERVER_PORT": "443", "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(),
           "HTTP_HOST": "sosa.example.org", "wsgi.errors": sys.stderr}
body = b"".join(application(environ, lambda s, h, *a: status.append(s)))
print(status[0].split()[0])
"""


# --- no existence oracle in refusals ------------------------------------------------------------


def test_triage_says_the_same_for_an_unknown_and_an_unassignable_user_name(people, make_request):
    target = make_request("submitted")
    client = client_for(people.liaison_us)
    path = f"/api/v1/requests/{target.reference}/triage/"

    unknown = client.post(path, {"assignee": "nobody.at.all"}, format="json")
    elsewhere = client.post(path, {"assignee": "reviewer.in"}, format="json")

    assert unknown.status_code == elsewhere.status_code == 400
    assert unknown.json()["errors"]["assignee"] == elsewhere.json()["errors"]["assignee"]


def test_filing_says_the_same_for_an_unknown_and_a_foreign_agency(people):
    from requests_app.models import PriorityRequest
    from tests.factories import AgencyFactory

    foreign = AgencyFactory(nation=people.us, name="Defense Logistics Agency")
    client = client_for(people.requester_in)
    body = {"title": "Seals", "responding_nation": "US"}

    unknown = client.post(
        "/api/v1/requests/", {**body, "requesting_agency": 999_999}, format="json"
    )
    other = client.post(
        "/api/v1/requests/", {**body, "requesting_agency": foreign.pk}, format="json"
    )

    assert unknown.status_code == other.status_code == 400
    assert (
        unknown.json()["errors"]["requesting_agency"] == other.json()["errors"]["requesting_agency"]
    )
    assert not PriorityRequest.objects.exists()
