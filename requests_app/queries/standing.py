"""Where a request stands, for the API and the pages alike: whose move it is (`ball_holder`,
DESIGN §5) and who signed each step of its route (`signed_steps`). Both read a plain mapping
of column names, so the list's fast path and a model instance give the same answer."""

from __future__ import annotations

from ..deadlines import ball_in_court, ball_on_requesting_side
from ..models import rating_label

BALL_COLUMNS = (
    "state",
    "route",
    "requesting_nation_id",
    "responding_nation_id",
    "created_by_id",
    "assignee_id",
)


def ball_holder(row, code_of, username_of) -> dict | None:
    """Whose move it is (DESIGN §5): `{"party", "nation", "person"}` — the party of the stage,
    the code of its nation, and the person where there is one (the requester, the assignee of
    the responding side), else None. `row` maps column names to values, as `signed_steps`'s does."""
    party = ball_in_court(row["state"], row["route"])
    if party is None:
        return None
    requesting = ball_on_requesting_side(row["state"], party)
    nation_id = row["requesting_nation_id"] if requesting else row["responding_nation_id"]
    # The requester is its creator; an official of the responding side is its assignee, who
    # follows the stage (`services.actions.next_holder`).
    person_id = row["created_by_id"] if party == "requester" else None
    if party in ("reviewer", "rating_authority", "liaison") and not requesting:
        person_id = row["assignee_id"]
    return {"party": str(party), "nation": code_of(nation_id), "person": username_of(person_id)}


def ball_of(request) -> dict | None:
    """`ball_holder` of a model instance (its nations, creator and assignee loaded by need)."""
    codes = {
        request.requesting_nation_id: request.requesting_nation.code,
        request.responding_nation_id: request.responding_nation.code,
    }
    people = {request.created_by_id: request.created_by, request.assignee_id: request.assignee}
    return ball_holder(
        {column: getattr(request, column) for column in BALL_COLUMNS},
        codes.get,
        lambda pk: people[pk].get_username() if pk else None,
    )


def signed_steps(row, username_of, moment) -> dict[str, dict | None]:
    """Who signed each step of the request's route, and what they said (None: not yet): the
    requesting nation's endorsement, the DoD's determination and Commerce's authorisation on
    the DPAS route, the MoD's approval on the Code of Conduct route. `row` maps the request's
    column names to values (a `request_rows` row or a model's attributes)."""

    def signed(note: str, signer: str, at: str, **more) -> dict | None:
        if row[signer] is None:
            return None
        return {"note": row[note], "by": username_of(row[signer]), "at": moment(row[at]), **more}

    def rated(rating: str, symbol: str) -> dict:
        return {
            "rating": row[rating],
            "program_symbol": row[symbol],
            "rating_label": rating_label(row[rating], row[symbol]),
        }

    dpas = row["route"] == "dpas"
    approval = signed("approval_note", "approved_by_id", "approved_at")
    return {
        "endorsement": signed("endorsement_note", "endorsed_by_id", "submitted_at"),
        "determination": signed(
            "determination_note",
            "determined_by_id",
            "determined_at",
            **rated("recommended_rating", "recommended_symbol"),
            dod_reference=row["dod_reference"],
        ),
        "authorisation": {
            **approval,
            **rated("rating", "program_symbol"),
            "bis_case_number": row["bis_case_number"],
            "change_reason": row["rating_change_reason"],
        }
        if approval and dpas
        else None,
        "approval": approval if not dpas else None,
    }
