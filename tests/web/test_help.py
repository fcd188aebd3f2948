"""`/help/` (issue 16 point 11): open signed out and signed in, every glossary entry at its stable
anchor, the deadlines this site counts, the accessibility statement, each nation's contact; the
"Help" link in the header and on the sign-in page; the "What is this?" hints on other pages
point at entries the help page has."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client

from requests_app.web.glossary import GLOSSARY, term
from sosa_portal.settings import env_map
from tests.helpers import Tables, by_label, signed_in, text_of

pytestmark = pytest.mark.django_db

# The anchors other pages, documents and people link to: part of the page's contract.
ANCHORS = [
    "sosa",
    "routes",
    "dpas",
    "rating",
    "program-symbol",
    "code-of-conduct",
    "endorsement",
    "ball-in-court",
    "working-days",
    "escalation",
    "posture",
    "nsn",
    "cui",
]
HINT = re.compile(r'<a class="hint" href="/help/#([\w-]+)"')


def ids_on(page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', page))


def help_page(client=None) -> str:
    response = (client or Client()).get("/help/")
    assert response.status_code == 200
    return text_of(response)


def test_the_help_page_answers_signed_out_and_signed_in(people):
    assert "Glossary" in help_page()
    assert "Glossary" in help_page(signed_in(people.requester_in))
    assert "Glossary" in help_page(signed_in(people.supplier_us))


def test_someone_stuck_at_the_second_factor_still_reads_the_help(people):
    client = Client()
    client.force_login(people.liaison_in)  # password given, no authenticator app yet
    assert client.get("/requests/").status_code == 302
    assert "Glossary" in help_page(client)


def test_the_help_page_only_reads(people):
    assert Client().post("/help/").status_code == 405


def test_every_glossary_entry_has_its_stable_anchor_and_a_contents_link(people):
    page = help_page()
    ids = ids_on(page)
    assert [entry.anchor for entry in GLOSSARY] == ANCHORS
    for anchor in ANCHORS:
        assert anchor in ids, f"no entry #{anchor}"
        assert f'<a href="/help/#{anchor}">' in page, f"no contents link to #{anchor}"
    assert {"glossary", "deadlines", "accessibility", "contacts"} <= ids
    for needed in ("DPAS", "DX", "DO-A1", "G2", "NATO Stock Number", "Controlled Unclassified"):
        assert needed in page


def test_the_accessibility_statement_says_the_target_how_it_is_tested_and_where_to_write(
    people, settings
):
    settings.SOSA_HELP_EMAIL = "desk@portal.example"
    page = help_page()
    statement = page[page.index('id="accessibility"') : page.index('id="contacts"')]
    assert "WCAG" in statement and "2.2, level AA" in statement
    assert "Playwright" in statement and "keyboard" in statement
    assert 'href="mailto:desk@portal.example"' in statement


def test_each_nation_has_its_contact_or_the_help_desk(people, settings):
    settings.SOSA_HELP_CONTACTS = {"IN": "sosa-help@mod.in.example"}
    settings.SOSA_HELP_EMAIL = "desk@portal.example"
    page = help_page()
    rows = by_label(Tables(page).tables["contacts"])
    assert set(rows) == {"India IN", "United Kingdom GB", "United States US"}
    assert rows["India IN"][3] == "sosa-help@mod.in.example"
    assert rows["United States US"][3] == "desk@portal.example (the portal's help desk)"
    assert rows["United States US"][1] == "DPAS rated orders"
    assert rows["India IN"][1] == "Code of Conduct: firms answer within 10 working days"
    assert 'href="mailto:sosa-help@mod.in.example"' in page


def test_a_signed_in_reader_finds_their_own_nation_first(people):
    page = help_page(signed_in(people.requester_gb))
    rows = Tables(page).tables["contacts"][1:]
    assert rows[0][0] == "United Kingdom GB yours"
    assert [row[0] for row in rows[1:]] == ["India IN", "United States US"]


def test_the_deadline_table_is_the_one_this_site_counts(people, settings):
    settings.SOSA_SLA_OVERRIDES = {"triage": {"working_days": 3}}
    rows = by_label(Tables(help_page()).tables["deadlines"])
    assert rows["Triage"][1:] == [
        "Liaison officer, responding nation",
        "3 working days",
        "1 working day",
        "1 day around the clock",
    ]
    law = "DX: 10 · DO: 15 working days (the law: the same in every posture)"
    assert rows["Supplier response DPAS route"][2:] == [law, law, law]
    assert rows["Supplier response Code of Conduct route"][3] == (
        "the nation's Code of Conduct response time ÷ 2, rounded up"
    )
    assert rows["Endorsement"][1] == "Liaison officer, requesting nation"


def test_the_help_page_costs_one_query_signed_out(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        help_page()


def test_the_header_links_to_help_signed_in_and_signed_out(people):
    for client, path in ((Client(), "/accounts/login/"), (signed_in(people.liaison_us), "/")):
        page = text_of(client.get(path))
        header = page[page.index("<header") : page.index("</header>")]
        assert '<a href="/help/"' in header, path
    assert 'aria-current="page">Help</a>' in help_page()


def test_the_sign_in_page_points_to_the_help(people):
    page = text_of(Client().get("/accounts/login/"))
    form_card = page[page.index('class="auth card"') :]
    assert '<a href="/help/">help page</a>' in form_card


def test_the_filing_form_hints_point_at_entries_of_the_help_page(people):
    form = text_of(signed_in(people.requester_in).get("/requests/new/"))
    hints = HINT.findall(form)
    assert {"nsn", "routes", "cui"} <= set(hints)
    assert set(hints) <= ids_on(help_page())
    # Beside a form field the help opens in a new tab (nothing typed is lost), and says so.
    assert 'target="_blank" rel="noopener" aria-label="What is this? (NSN (NATO Stock Number),' in (
        form
    )


@pytest.mark.parametrize(
    ("path", "anchors"),
    [
        ("/reports/", {"routes"}),
        ("/arrangements/", {"posture"}),
        ("/suppliers/", {"code-of-conduct"}),
    ],
)
def test_the_other_pages_hints_point_at_entries_of_the_help_page(people, path, anchors):
    page = text_of(signed_in(people.liaison_in).get(path))
    hints = set(HINT.findall(page))
    assert anchors <= hints
    assert hints <= ids_on(help_page())


def test_a_hint_names_its_term_and_without_a_term_renders_nothing():
    link = render_to_string("partials/hint.html", {"term": term("posture")})
    assert 'href="/help/#posture"' in link
    assert 'aria-label="What is this? (Posture: peacetime, emergency, armed conflict)"' in link
    assert ">?</a>" in link
    assert render_to_string("partials/hint.html", {"term": None}).strip() == ""
    with pytest.raises(KeyError):
        term("no-such-entry")


def test_help_contacts_come_from_the_environment_as_code_equals_address(monkeypatch):
    monkeypatch.setenv("SOSA_HELP_CONTACTS", "in = a@mod.example, US=b@dod.example,XX=")
    assert env_map("SOSA_HELP_CONTACTS", "") == {"IN": "a@mod.example", "US": "b@dod.example"}
    monkeypatch.delenv("SOSA_HELP_CONTACTS")
    assert env_map("SOSA_HELP_CONTACTS", "GB=c@mod.example") == {"GB": "c@mod.example"}
