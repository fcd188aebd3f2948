"""What many test files share: signing in (pages, API, browser), second-factor codes, reading
a response (its tables too), and the moments the deadline tests count from.

Plain functions and constants only; fixtures live in tests/conftest.py (the fast password
hasher, the frozen `NOW`, `people`, `make_request`).
"""

import datetime as dt
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import holidays
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from partners.accounts.invitations import invite_path, issue_invitation
from partners.accounts.tokens import issue_token
from partners.models import Arrangement
from requests_app import services

# The password of every user tests/factories.make_user creates.
PASSWORD = "pw-for-tests-1"

# --- signing in ---------------------------------------------------------------------------------


def enrolled(user) -> TOTPDevice:
    """A confirmed authenticator app for `user`."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def invited(client, user, *, by=None) -> str:
    """An administrator's second-factor invitation for `user`, whose link `client` (signed in
    as them with the password) follows, so that it may set up a device: the code."""
    _, code = issue_invitation(user, by=by)
    client.get(invite_path(code))
    return code


def sign_in(client, user) -> None:
    """Signed in with the second factor passed, as liaison officers and reviewers must be."""
    client.force_login(user)
    device = enrolled(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def signed_in(user) -> Client:
    """A browser client signed in as `user` (second factor passed)."""
    client = Client()
    sign_in(client, user)
    return client


def us_india(people):
    """The fixture's US–India arrangement."""
    return Arrangement.objects.between(people.us, people.india).get()


def sign_in_with_password(client, username: str, password: str = PASSWORD, **extra):
    """Post the sign-in form as a person would (no second factor): the response."""
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def client_for(user) -> APIClient:
    """An APIClient that sends `Authorization: Token <key>` for a freshly issued key."""
    _, key = issue_token(user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def sign_in_page(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """A Playwright page fills and sends the sign-in form (no second factor)."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the app shows now (or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


# --- reading responses --------------------------------------------------------------------------


def text_of(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def references_on(response) -> list[str]:
    """The references of the list or queue page's rows, in order."""
    return [row.reference for row in response.context["page"].object_list]


class Tables(HTMLParser):
    """The cell texts of each <table id="table-…"> on a page, row by row."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("id") or "").startswith("table-"):
            self._table = self.tables.setdefault(attrs["id"][6:], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def by_label(rows: list[list[str]]) -> dict[str, list[str]]:
    """A table's rows by their first cell."""
    return {row[0]: row for row in rows[1:]}


# --- moments ------------------------------------------------------------------------------------

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
MINUTE = dt.timedelta(minutes=1)
# The moment tests/conftest.py's `frozen_now` fixture freezes (ticking).
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # a Tuesday, 10:00 in Washington


def new_york(year, month, day, hour=17, minute=0) -> dt.datetime:
    """A moment on New York's wall clock; 17:00 by default, when US working days end."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def new_delhi(year, month, day, hour=17, minute=0) -> dt.datetime:
    """A moment on India's wall clock (Asia/Kolkata); 17:00 by default, as in New York."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=KOLKATA)


# A supplier clock: forwarded Wed 25 Nov 2026 10:00 New York, a DX supplier has 10 working days,
# skipping Thanksgiving (Thu 26 Nov) and two weekends → due Thu 10 Dec 17:00 EST, and the
# due-soon reminder a working day before.
FORWARDED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=NEW_YORK)
DUE_SOON = dt.datetime(2026, 12, 9, 17, 0, tzinfo=NEW_YORK)
DUE = dt.datetime(2026, 12, 10, 17, 0, tzinfo=NEW_YORK)


def support(request, *, by, rating="", program_symbol="", note="", now=None, **extra):
    """The responding nation's yes, as the request's route has it: on the DPAS route `by`
    (a DoD reviewer) determines and the nation's Commerce reviewer authorises the same
    rating at the same moment; on the Code of Conduct route `by` approves."""
    note = note or "Supported."
    if request.route != "dpas":
        return services.approve(request, by=by, note=note, now=now)
    determined = services.determine(
        request, by=by, rating=rating, program_symbol=program_symbol, note=note, now=now
    )
    authority = get_user_model().objects.get(
        profile__nation_id=request.responding_nation_id,
        profile__agency__kind="rating_authority",
    )
    return services.authorise(
        determined,
        by=authority,
        bis_case_number=extra.get("authorisation_ref") or "BIS-26-0001",
        rating=rating,
        program_symbol=program_symbol,
        note=note,
        now=now,
    )


def us_working_day(days_from_today: int) -> dt.date:
    """The first US working day at least `days_from_today` ahead: a supplier's commitment on a
    weekend or holiday is asked for its reason (DESIGN §4a), which a test may not mean to test."""
    day = dt.date.today() + dt.timedelta(days=days_from_today)
    while day.weekday() >= 5 or day in holidays.country_holidays("US", years=day.year):
        day += dt.timedelta(days=1)
    return day
