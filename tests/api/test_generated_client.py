"""What an integrator meets (issue 15): a Python client generated from /api/schema/ by
openapi-python-client, in the test run, drives a request from draft to fulfilled against a
live server, each call with its own Idempotency-Key and every answer parsed into the client's
typed models (a status or shape the schema does not declare fails the call)."""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

from partners.accounts.tokens import issue_token

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads committed rows
PACKAGE = "sosa_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    """The client package, generated from the live server's schema into tmp_path."""
    schema = tmp_path / "schema.json"
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as answer:
        schema.write_bytes(answer.read())
    config = tmp_path / "config.yaml"
    config.write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n")
    command = [str(GENERATOR), "generate", "--path", str(schema), "--meta", "none"]
    command += ["--config", str(config), "--output-path", str(tmp_path / PACKAGE)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def test_a_generated_client_drives_a_request_from_draft_to_fulfilled(
    generated, live_server, people
):
    models = importlib.import_module(f"{PACKAGE}.models")
    clients: dict = {}
    try:
        drive_the_life_cycle(generated, models, live_server, people, clients)
    finally:  # no open connection may keep a server thread (and its database session) alive
        for client in clients.values():
            client.get_httpx_client().close()


def drive_the_life_cycle(generated, models, live_server, people, clients):

    def client_of(person):
        if person not in clients:
            _, key = issue_token(person, name="generated client", expires_at=None)
            clients[person] = generated.AuthenticatedClient(
                base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
            )
        return clients[person]

    def call(operation, person, *args, key: str | None = None, **kwargs):
        """One call of the generated `operation` module; the typed request it answers."""
        answer = operation.sync_detailed(
            *args, client=client_of(person), idempotency_key=key or uuid.uuid4().hex, **kwargs
        )
        assert 200 <= answer.status_code < 300, (operation.__name__, answer.content)
        assert isinstance(answer.parsed, models.Request), operation.__name__
        assert answer.headers["ETag"] == f'"{answer.parsed.version}"'
        return answer

    def act(name, person, reference, body=None):
        operation = importlib.import_module(f"{PACKAGE}.api.actions.{name}")
        kwargs = {} if body is None else {"body": body}
        return call(operation, person, reference, **kwargs).parsed

    today = dt.date.today()
    create = importlib.import_module(f"{PACKAGE}.api.requests.create_request")
    item = models.ItemRequest(description="Gyroscope assembly", part_number="GY-200", quantity=4)
    draft = models.DraftRequest(
        title="Gyroscopes for the Tejas fleet",
        responding_nation="US",
        justification="Aircraft grounded without spares.",
        required_delivery_date=today + dt.timedelta(days=200),
        items=[item],
    )
    created = call(create, people.requester_in, body=draft, key="create-tejas")
    assert created.status_code == 201 and created.headers["Location"].endswith(
        f"/{created.parsed.reference}/"
    )
    reference = created.parsed.reference
    assert created.parsed.rating is None and created.parsed.rating_label is None
    again = call(create, people.requester_in, body=draft, key="create-tejas")  # a safe retry
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.parsed.reference == reference

    state = act("submit", people.requester_in, reference).state
    if state == models.StateEnum.AWAITING_ENDORSEMENT:
        state = act(
            "endorse", people.liaison_in, reference, models.NoteRequest(note="India endorses it.")
        ).state
    assert state == models.StateEnum.SUBMITTED
    act("triage", people.liaison_us, reference, models.TriageRequest(assignee="reviewer.us"))
    rating, symbol = models.RatingEnum.DX, models.ProgramSymbolEnum.G2
    determined = act(
        "determine",
        people.reviewer_us,
        reference,
        models.DetermineRequest(rating=rating, program_symbol=symbol, note="Supports G2."),
    )
    assert determined.state == models.StateEnum.AWAITING_AUTHORISATION
    assert determined.rating is None and determined.determination.rating == rating
    authorised = act(
        "authorise",
        people.authority_us,
        reference,
        models.AuthoriseRequest(
            bis_case_number="BIS-26-0107", rating=rating, program_symbol=symbol, note="As is."
        ),
    )
    assert (authorised.rating, authorised.rating_label) == (rating, "DX-G2")
    act(
        "forward",
        people.liaison_us,
        reference,
        models.ForwardRequest(supplier=people.company_us.pk),
    )
    accepted = act(
        "supplier_accept",
        people.supplier_us,
        reference,
        models.SupplierAcceptRequest(committed_delivery_date=today + dt.timedelta(days=120)),
    )
    assert accepted.state == models.StateEnum.ACCEPTED
    (ordered,) = accepted.items

    delivered = models.RecordDeliveryRequest(item=ordered.id, quantity=1, delivered_on=today)
    partly = act("record_delivery", people.requester_in, reference, delivered)
    assert (partly.state, partly.items[0].quantity_delivered) == (models.StateEnum.ACCEPTED, 1)
    rest = models.RecordDeliveryRequest(item=ordered.id, quantity=3, delivered_on=today)
    fulfilled = act("record_delivery", people.supplier_us, reference, rest)
    assert fulfilled.state == models.StateEnum.RESOLVED
    assert fulfilled.resolution == models.ResolutionEnum.FULFILLED
    assert fulfilled.items_delivered == fulfilled.items_accepted == 1

    events = importlib.import_module(f"{PACKAGE}.api.events.list_events")
    trail = events.sync(reference, client=client_of(people.requester_in))
    assert [event.action for event in trail][-2:] == ["record_delivery", "record_delivery"]
    assert {"submit", "triage", "determine", "authorise", "forward", "supplier_accept"} <= {
        event.action for event in trail
    }
