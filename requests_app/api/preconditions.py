"""Conditional writes: a request's `ETag` is its `version`; `If-Match` on PATCH and actions
answers 412 when the request changed since (the body's `version` gives a 409 instead)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

HEADER = "If-Match"


def etag(version: int) -> str:
    """The entity tag of a request at `version` (changes with every write to the request)."""
    return f'"{version}"'


def expected_version(request) -> int | None:
    """The version an `If-Match` header names (`"3"`, `W/"3"`), or None without one (or `*`)."""
    header = request.headers.get(HEADER, "").strip()
    if not header or header == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()) or len(tag) > 18:
        raise ValidationError({HEADER: ['Give the ETag of the request (its version), e.g. "3".']})
    return int(tag)


def precondition_failed(expected: int, current: int) -> Response:
    message = (
        f"The request changed since version {expected} (it is at {current}): "
        "read it again and decide on what it says now."
    )
    return Response(
        {"errors": {HEADER: [message]}},
        status=status.HTTP_412_PRECONDITION_FAILED,
        headers={"ETag": etag(current)},
    )


def with_etag(data: dict, code: int = status.HTTP_200_OK, **headers: str) -> Response:
    """A request's representation with its ETag (and any other headers)."""
    return Response(data, status=code, headers={"ETag": etag(data["version"]), **headers})


def location_of(reference: str) -> str:
    """The absolute path of a request in the API (the `Location` of a 201)."""
    return reverse("api:request-detail", kwargs={"reference": reference})


def representation_headers(data, code: int) -> dict[str, str]:
    """The headers that go with a request's representation (none for any other body): what
    an idempotent replay sends again, as the first answer did."""
    if not (isinstance(data, dict) and isinstance(data.get("version"), int)):
        return {}
    headers = {"ETag": etag(data["version"])}
    if code == status.HTTP_201_CREATED and isinstance(data.get("reference"), str):
        headers["Location"] = location_of(data["reference"])
    return headers
