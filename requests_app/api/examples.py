"""What the OpenAPI document shows beside the shapes: the list's query parameters in words, the
download's media types, and examples of the main operations (tests/api/test_schema.py checks
each example against its schema)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from ..services.attachments import KINDS

LIST_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": 100},
        description="Search, ignoring case: every word must begin a word of the request's "
        "reference, title, contract number, program, prime contractor, supplier, an item's part "
        "number or NSN, or a comment the caller may read (internal comments for officials "
        "only). `GY-200 tejas` finds requests with both; `5840-01-555` finds NSN "
        "5840-01-555-1234. Applied after the tenant rule.",
    ),
    OpenApiParameter(
        "overdue",
        bool,
        description="`true`: open requests whose due time has passed; `false`: the rest "
        "(resolved ones, and those without a due time).",
    ),
    OpenApiParameter(
        "due_soon",
        bool,
        description="`true`: open requests whose deadline ladder has reached its first rung "
        "(the reminder, one working day before due) and that are not overdue yet; `false`: "
        "every other request.",
    ),
    OpenApiParameter(
        "escalated",
        bool,
        description="`true`: open requests escalated to senior officials (the ladder's last "
        "rung); `false`: the rest.",
    ),
    OpenApiParameter(
        "assignee", {"type": "string", "maxLength": 150}, description="The reviewer's username."
    ),
    OpenApiParameter(
        "requesting_nation",
        {"type": "string", "maxLength": 2},
        description="ISO code, any case: `IN`.",
    ),
    OpenApiParameter(
        "responding_nation",
        {"type": "string", "maxLength": 2},
        description="ISO code, any case: `US`.",
    ),
]

# OpenAPI 3.1 says raw bytes with `contentMediaType` (no JSON `type`: the body is no string).
DOWNLOAD = {
    (200, kind.content_type): OpenApiResponse(
        {"contentMediaType": kind.content_type},
        description="The file, as an attachment under its own name (`Content-Disposition`), "
        "with the type it was accepted as (checked by content on upload).",
    )
    for kind in KINDS
}

DRAFT = OpenApiExample(
    "A draft with one item",
    request_only=True,
    value={
        "title": "Gyroscopes for the Tejas fleet",
        "responding_nation": "US",
        "justification": "Aircraft grounded without spares.",
        "required_delivery_date": "2027-09-30",
        "contract_number": "W58RGZ-26-C-0042",
        "items": [{"description": "Gyroscope assembly", "part_number": "GY-200", "quantity": 4}],
    },
)
REQUEST = OpenApiExample(
    "A request with Commerce",
    response_only=True,
    value={
        "reference": "IN-US-2026-0042",
        "title": "Gyroscopes for the Tejas fleet",
        "state": "awaiting_authorisation",
        "resolution": "",
        "requesting_nation": "IN",
        "responding_nation": "US",
        "requesting_agency": {"id": 3, "name": "MoD Acquisition Wing"},
        "urgency": "routine",
        "rating": None,
        "program_symbol": None,
        "rating_label": None,
        "contract_number": "W58RGZ-26-C-0042",
        "program": "",
        "justification": "Aircraft grounded without spares.",
        "required_delivery_date": "2027-09-30",
        "committed_delivery_date": None,
        "delivered_on": None,
        "assignee": "reviewer.us",
        "supplier": None,
        "items": [
            {
                "id": 101,
                "description": "Gyroscope assembly",
                "part_number": "GY-200",
                "nsn": "",
                "quantity": 4,
                "unit": "each",
                "required_date": None,
                "response": "",
                "committed_delivery_date": None,
                "response_reason": "",
                "quantity_delivered": 0,
            }
        ],
        "items_delivered": 0,
        "items_accepted": 0,
        "due_at": "2026-12-14T22:00:00Z",
        "clock": {
            "stage": "authorisation",
            "status": "running",
            "started_at": "2026-12-07T15:12:09Z",
            "due_at": "2026-12-14T22:00:00Z",
            "explanation": "5 US working days from 7 Dec 2026, close of business in Washington.",
        },
        "due_explanation": "5 US working days from 7 Dec 2026, close of business in Washington.",
        "ball_in_court": {"party": "rating_authority", "nation": "US", "person": None},
        "escalation_level": None,
        "escalated_at": None,
        "prime_contractor": "",
        "supplier_tier": "",
        "end_user": "",
        "steps_taken": "",
        "export_jurisdiction": "",
        "export_classification": "",
        "licence_status": "",
        "handling_marking": "",
        "determination_note": "Supports a G2 program.",
        "bis_case_number": "",
        "resolution_reason": "",
        "route": "dpas",
        "endorsement": {
            "note": "India endorses it.",
            "by": "liaison.in",
            "at": "2026-12-02T09:30:00Z",
        },
        "determination": {
            "note": "Supports a G2 program.",
            "by": "reviewer.us",
            "at": "2026-12-07T15:12:09Z",
            "rating": "DX",
            "program_symbol": "G2",
            "rating_label": "DX-G2",
            "dod_reference": "",
        },
        "authorisation": None,
        "approval": None,
        "allowed_actions": [],
        "version": 6,
        "created_at": "2026-12-01T10:00:00Z",
        "updated_at": "2026-12-07T15:12:09Z",
        "submitted_at": "2026-12-02T09:30:00Z",
        "resolved_at": None,
    },
)
ERROR = OpenApiExample(
    "Invalid fields",
    response_only=True,
    status_codes=["400"],
    value={"errors": {"title": ["This field is required."], "items[0].quantity": ["Too big."]}},
)
ACTION_EXAMPLES = {
    "triage": [
        OpenApiExample("Assign a reviewer", request_only=True, value={"assignee": "reviewer.us"})
    ],
    "determine": [
        OpenApiExample(
            "Recommend DX-G2",
            request_only=True,
            value={"rating": "DX", "program_symbol": "G2", "note": "Supports a G2 program."},
        )
    ],
    "authorise": [
        OpenApiExample(
            "Authorise as determined",
            request_only=True,
            value={
                "bis_case_number": "BIS-26-0107",
                "rating": "DX",
                "program_symbol": "G2",
                "note": "As determined.",
            },
        )
    ],
    "forward": [OpenApiExample("To a firm", request_only=True, value={"supplier": 7})],
    "supplier_accept": [
        OpenApiExample(
            "Every item at one date",
            request_only=True,
            value={"committed_delivery_date": "2027-06-01"},
        ),
        OpenApiExample(
            "Item by item",
            request_only=True,
            value={
                "items": [{"id": 101, "committed_delivery_date": "2027-06-01"}],
                "rejected_items": [{"id": 102, "reason": "No seal capacity this year."}],
            },
        ),
    ],
    "record_delivery": [
        OpenApiExample(
            "Two of four arrived",
            request_only=True,
            value={"item": 101, "quantity": 2, "delivered_on": "2027-05-28"},
        )
    ],
    "split": [
        OpenApiExample("Carry a rejected item on", request_only=True, value={"items": [102]})
    ],
    "withdraw": [
        OpenApiExample(
            "No longer needed", request_only=True, value={"reason": "Spares found in stock."}
        )
    ],
}
COMMENT = OpenApiExample(
    "A shared comment",
    request_only=True,
    value={"body": "Can you ship in two lots?", "visibility": "shared"},
)
