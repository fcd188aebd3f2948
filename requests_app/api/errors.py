"""One mapping from errors to API responses: `{"errors": {field: [messages]}}` always."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import DomainError


def _as_field_errors(detail) -> dict[str, list[str]]:
    """DRF error detail as {"field": [...], "items[0].quantity": [...]}."""
    if not isinstance(detail, dict):
        return {"detail": [str(message) for message in _messages(detail)]}
    flat: dict[str, list[str]] = {}
    _collect(detail, "", flat)
    return flat


def _collect(detail, prefix: str, flat: dict[str, list[str]]) -> None:
    if isinstance(detail, dict):
        for field, value in detail.items():
            # DRF ≥ 3.16 reports list items as {index: errors}: name them `items[0]`, as lists do.
            if isinstance(field, int):
                name = f"{prefix}[{field}]"
            else:
                name = f"{prefix}.{field}" if prefix else str(field)
            _collect(value, name, flat)
    elif isinstance(detail, list | tuple) and any(isinstance(x, dict | list) for x in detail):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                _collect(value, f"{prefix}[{index}]", flat)
            else:
                flat.setdefault(prefix or "detail", []).append(str(value))
    else:
        flat.setdefault(prefix or "detail", []).extend(str(m) for m in _messages(detail))


def _messages(detail) -> list:
    return list(detail) if isinstance(detail, list | tuple) else [detail]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"errors": exc.errors or {"detail": [exc.message]}}, status=exc.status)
    if isinstance(exc, RequestDataTooBig):  # Django would answer with its HTML 400 page
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = f"The request body is larger than {limit}."
        return Response({"errors": {"detail": [message]}}, status=413)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotFound):
        response.data = {"errors": {"detail": ["Not found."]}}
    else:
        response.data = {"errors": _as_field_errors(exc.detail)}
    return response


def error(status_code: int, field: str, message: str) -> Response:
    return Response({"errors": {field: [message]}}, status=status_code)


__all__ = ["error", "exception_handler", "status"]
