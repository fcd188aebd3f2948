"""A supplier answers item by item (DESIGN §4a, issue 13 point 1): some items accepted, each with
its own date, others rejected with a reason; the request follows the earliest accepted date."""

import datetime as dt

import pytest

from requests_app import services
from requests_app.exceptions import InvalidInput
from requests_app.models import Clock, Event, RequestItem, Stage
from requests_app.moments import day_text
from tests import factories as f
from tests.helpers import sign_in, us_working_day

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
JUNE, SEPTEMBER = us_working_day(180), us_working_day(270)


@pytest.fixture
def three_items(people, make_request):
    """An India→US order of an actuator, a seal kit and a bracket, with the supplier."""
    request = make_request(
        "with_supplier",
        items=[
            f.item(description="Gear actuator", quantity=6),
            f.item(description="Seal kit", quantity=12),
            f.item(description="Mounting bracket", quantity=6),
        ],
    )
    return request, list(request.items.order_by("id"))


def answer_two_of_three(people, request, actuator, seals, bracket):
    """The actuators by September, the brackets by June, no seal kits."""
    return services.supplier_accept(
        request,
        by=people.supplier_us,
        items=[
            {"id": actuator.pk, "committed_delivery_date": SEPTEMBER},
            {"id": bracket.pk, "committed_delivery_date": JUNE},
        ],
        rejected_items=[{"id": seals.pk, "reason": "No seal capacity this year."}],
    )


def answers(request) -> list[tuple]:
    return list(
        RequestItem.objects.filter(request=request)
        .order_by("id")
        .values_list("description", "response", "committed_delivery_date", "response_reason")
    )


def test_the_supplier_accepts_two_items_at_their_own_dates_and_rejects_the_third(
    people, three_items
):
    request, (actuator, seals, bracket) = three_items

    done = answer_two_of_three(people, request, actuator, seals, bracket)

    assert done.state == "accepted"
    assert done.committed_delivery_date == JUNE  # the delivery clock follows the first item
    assert answers(request) == [
        ("Gear actuator", "accepted", SEPTEMBER, ""),
        ("Seal kit", "rejected", None, "No seal capacity this year."),
        ("Mounting bracket", "accepted", JUNE, ""),
    ]
    # One delivery clock per accepted item, each to its own date; the request follows the first.
    clocks = Clock.objects.filter(request=request, stage=Stage.DELIVERY, stopped_at=None)
    assert {(c.item_id, c.due_at.date()) for c in clocks} == {
        (actuator.pk, SEPTEMBER),
        (bracket.pk, JUNE),
    }
    done.refresh_from_db()
    assert done.due_at.date() == JUNE
    event = Event.objects.filter(request=request).latest("id")
    assert event.data["rejected_items"] == [
        {"id": seals.pk, "reason": "No seal capacity this year."}
    ]


def test_one_date_for_every_item_stays_the_common_case(people, three_items):
    request, _ = three_items

    services.supplier_accept(request, by=people.supplier_us, committed_delivery_date=JUNE)

    assert {row[1:3] for row in answers(request)} == {("accepted", JUNE)}


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        (lambda a, s, b: {"items": [{"id": a, "committed_delivery_date": JUNE}]}, "items"),
        (
            lambda a, s, b: {
                "rejected_items": [
                    {"id": a, "reason": "No."},
                    {"id": s, "reason": "No."},
                    {"id": b, "reason": "No."},
                ]
            },
            "items",
        ),
        (
            lambda a, s, b: {
                "items": [
                    {"id": a, "committed_delivery_date": JUNE},
                    {"id": a, "committed_delivery_date": JUNE},
                ]
            },
            "items[1].id",
        ),
        (
            lambda a, s, b: {
                "items": [{"id": 10**9, "committed_delivery_date": JUNE}],
                "rejected_items": [{"id": s, "reason": "x"}, {"id": b, "reason": "x"}],
            },
            "items[0].id",
        ),
        (
            lambda a, s, b: {
                "items": [{"id": a, "committed_delivery_date": TODAY - dt.timedelta(days=3)}],
                "rejected_items": [{"id": s, "reason": "x"}, {"id": b, "reason": "x"}],
            },
            "items[0].committed_delivery_date",
        ),
        (
            lambda a, s, b: {
                "items": [{"id": a, "committed_delivery_date": JUNE}],
                "rejected_items": [{"id": s, "reason": " "}, {"id": b, "reason": "x"}],
            },
            "rejected_items[0].reason",
        ),
    ],
    ids=["unanswered", "all-rejected", "twice", "foreign-item", "past-date", "no-reason"],
)
def test_a_partial_answer_that_does_not_add_up_names_the_field_and_changes_nothing(
    people, three_items, answer, field
):
    request, (actuator, seals, bracket) = three_items
    before = answers(request)

    with pytest.raises(InvalidInput) as raised:
        services.supplier_accept(
            request, by=people.supplier_us, **answer(actuator.pk, seals.pk, bracket.pk)
        )

    assert field in raised.value.errors
    assert answers(request) == before
    request.refresh_from_db()
    assert request.state == "with_supplier"


def test_another_supplier_answers_afresh_after_a_rejection_and_a_delay_moves_the_items(
    people, three_items
):
    request, _ = three_items
    request = services.supplier_reject(
        request, by=people.supplier_us, reason="Line full.", earliest_date=SEPTEMBER
    )
    assert {row[1] for row in answers(request)} == {""}

    request = services.forward(request, by=people.liaison_us, supplier=people.company_us_other)
    request = services.supplier_accept(
        request, by=people.other_supplier_us, committed_delivery_date=JUNE
    )
    services.report_delay(
        request, by=people.other_supplier_us, reason="Casting.", committed_delivery_date=SEPTEMBER
    )

    assert {row[1:3] for row in answers(request)} == {("accepted", SEPTEMBER)}


def test_the_request_page_shows_each_items_answer(client, people, three_items):
    request, (actuator, seals, bracket) = three_items
    answer_two_of_three(people, request, actuator, seals, bracket)
    sign_in(client, people.liaison_us)

    html = client.get(f"/requests/{request.reference}/").content.decode()
    cells = [cell.split("</td>", 1)[0] for cell in html.split("<td data-item-answer>")[1:]]

    assert cells == [
        f"Accepted, by {day_text(SEPTEMBER)}",
        "Rejected: No seal capacity this year.",
        f"Accepted, by {day_text(JUNE)}",
    ]


def test_the_supplier_answers_each_item_on_the_request_page(client, people, three_items):
    request, (actuator, seals, bracket) = three_items
    sign_in(client, people.supplier_us)
    page = client.get(f"/requests/{request.reference}/").content.decode()
    assert f'name="item_{seals.pk}_answer"' in page and "Seal kit (12 each): answer" in page

    response = client.post(
        f"/requests/{request.reference}/act/supplier_accept/",
        {
            "version": request.version,
            "committed_delivery_date": JUNE.isoformat(),
            f"item_{actuator.pk}_answer": "accepted",
            f"item_{actuator.pk}_date": SEPTEMBER.isoformat(),
            f"item_{seals.pk}_answer": "rejected",
            f"item_{seals.pk}_reason": "No seal capacity this year.",
            f"item_{bracket.pk}_answer": "",  # the date above
        },
        follow=True,
    )

    assert response.status_code == 200
    assert answers(request) == [
        ("Gear actuator", "accepted", SEPTEMBER, ""),
        ("Seal kit", "rejected", None, "No seal capacity this year."),
        ("Mounting bracket", "accepted", JUNE, ""),
    ]


def test_a_page_answer_missing_its_reason_or_date_is_shown_next_to_the_item(
    client, people, three_items
):
    request, (actuator, seals, bracket) = three_items
    sign_in(client, people.supplier_us)

    response = client.post(
        f"/requests/{request.reference}/act/supplier_accept/",
        {
            "version": request.version,
            f"item_{actuator.pk}_answer": "accepted",
            f"item_{seals.pk}_answer": "rejected",
            f"item_{bracket.pk}_answer": "accepted",
            f"item_{bracket.pk}_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 400
    form = next(p["form"] for p in response.context["panels"] if p["action"] == "supplier_accept")
    assert form.errors[f"item_{actuator.pk}_date"] == ["Give this item's date."]
    assert form.errors[f"item_{seals.pk}_reason"] == ["Say why you reject this item."]
    request.refresh_from_db()
    assert request.state == "with_supplier"


def test_a_past_item_date_from_the_service_is_shown_next_to_that_item(client, people, three_items):
    request, (_actuator, _seals, bracket) = three_items
    sign_in(client, people.supplier_us)

    response = client.post(
        f"/requests/{request.reference}/act/supplier_accept/",
        {
            "version": request.version,
            "committed_delivery_date": JUNE.isoformat(),
            f"item_{bracket.pk}_answer": "accepted",
            f"item_{bracket.pk}_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        },
    )

    assert response.status_code == 400
    form = next(p["form"] for p in response.context["panels"] if p["action"] == "supplier_accept")
    assert form.errors[f"item_{bracket.pk}_date"] == ["The date cannot be in the past."]


def test_a_commitment_after_the_required_date_is_accepted_but_flagged_everywhere(
    client, people, three_items
):
    request, (actuator, seals, bracket) = three_items
    needed = request.required_delivery_date
    late = needed + dt.timedelta(days=45)
    services.supplier_accept(
        request,
        by=people.supplier_us,
        items=[
            {"id": actuator.pk, "committed_delivery_date": late},
            {"id": seals.pk, "committed_delivery_date": needed},
            {"id": bracket.pk, "committed_delivery_date": needed},
        ],
    )
    services.report_delay(
        request, by=people.supplier_us, reason="Casting.", committed_delivery_date=late
    )
    sign_in(client, people.liaison_us)

    page = client.get(f"/requests/{request.reference}/").content.decode()
    listed = client.get("/requests/").content.decode()
    queue = client.get("/queue/?view=all").content.decode()

    flag = '<div class="small due due--soon" data-late>committed 45 days after required</div>'
    assert page.count(flag) == 3  # every item moved to the late date
    assert flag in listed and flag in queue


def test_a_commitment_on_time_carries_no_flag(client, people, three_items):
    request, _ = three_items
    services.supplier_accept(
        request, by=people.supplier_us, committed_delivery_date=request.required_delivery_date
    )
    sign_in(client, people.liaison_us)

    assert "data-late" not in client.get(f"/requests/{request.reference}/").content.decode()
    assert "data-late" not in client.get("/requests/").content.decode()


def test_a_commitment_on_a_day_the_responding_nation_does_not_work_is_flagged(
    client, people, three_items
):
    request, _ = three_items
    saturday = JUNE + dt.timedelta(days=(5 - JUNE.weekday()) % 7)
    services.supplier_accept(request, by=people.supplier_us, committed_delivery_date=saturday)
    sign_in(client, people.liaison_us)

    page = client.get(f"/requests/{request.reference}/").content.decode()

    expected = f"committed on a non-working day: Sat {saturday.day} {saturday:%b} (weekend)"
    assert page.count(expected) == 3


def test_the_page_asks_why_before_it_saves_a_commitment_on_a_non_working_day(
    client, people, three_items
):
    request, _ = three_items
    saturday = JUNE + dt.timedelta(days=(5 - JUNE.weekday()) % 7)
    sign_in(client, people.supplier_us)
    url = f"/requests/{request.reference}/act/supplier_accept/"
    answer = {"version": request.version, "committed_delivery_date": saturday.isoformat()}

    warned = client.post(url, answer)

    assert warned.status_code == 400
    form = next(p["form"] for p in warned.context["panels"] if p["action"] == "supplier_accept")
    assert form.errors["late_reason"] == [
        f"Sat {saturday.day} {saturday:%b} (weekend) is not a working day in United States: "
        "say why, then accept again."
    ]
    client.post(url, answer | {"late_reason": "The plant ships on Saturdays."})
    assert set(request.items.values_list("commitment_note", flat=True)) == {
        "The plant ships on Saturdays."
    }


def test_the_supplier_answers_in_one_table_row_per_item(client, people, three_items):
    request, (actuator, seals, bracket) = three_items
    sign_in(client, people.supplier_us)

    page = client.get(f"/requests/{request.reference}/").content.decode()

    table = page.split("data-item-answers>", 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("</tr>")[:-1]
    assert len(rows) == 3
    for row, item in zip(rows, (actuator, seals, bracket), strict=True):
        assert item.description in row
        for part in ("answer", "date", "reason"):
            assert f'name="item_{item.pk}_{part}"' in row


def test_the_page_asks_why_before_it_saves_a_late_commitment(client, people, three_items):
    request, _ = three_items
    late = request.required_delivery_date + dt.timedelta(days=45)
    sign_in(client, people.supplier_us)
    url = f"/requests/{request.reference}/act/supplier_accept/"
    answer = {"version": request.version, "committed_delivery_date": late.isoformat()}

    warned = client.post(url, answer)

    assert warned.status_code == 400
    form = next(p["form"] for p in warned.context["panels"] if p["action"] == "supplier_accept")
    (message,) = form.errors["late_reason"]
    assert message.startswith("3 item(s) would be committed up to 45 days after required")
    assert message.endswith(": say why, then accept again.")
    request.refresh_from_db()
    assert request.state == "with_supplier"

    client.post(url, answer | {"late_reason": "Forgings come from a single foundry."})

    request.refresh_from_db()
    assert request.state == "accepted"
    assert set(request.items.values_list("commitment_note", flat=True)) == {
        "Forgings come from a single foundry."
    }
    page = client.get(f"/requests/{request.reference}/").content.decode()
    assert page.count("Forgings come from a single foundry.") >= 3


def test_over_the_api_a_late_commitment_is_accepted_and_keeps_its_reason(people, three_items):
    request, (actuator, seals, bracket) = three_items
    late = request.required_delivery_date + dt.timedelta(days=45)

    services.supplier_accept(
        request,
        by=people.supplier_us,
        items=[
            {"id": actuator.pk, "committed_delivery_date": late},
            {"id": seals.pk, "committed_delivery_date": JUNE},
            {"id": bracket.pk, "committed_delivery_date": JUNE},
        ],
        late_reason="Single foundry.",
    )

    notes = dict(request.items.values_list("description", "commitment_note"))
    assert notes == {"Gear actuator": "Single foundry.", "Seal kit": "", "Mounting bracket": ""}
