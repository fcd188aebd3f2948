"""A NUL character in a query parameter is never meant: PostgreSQL refuses it in any text
("A string literal cannot contain NUL"), so a view that passes a parameter to a query would
answer 500. Refused here, for every path, as the 400 it is, naming the parameter."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            names = sorted({name for name, value in request.GET.lists() if _has_nul(name, value)})
            if names:
                return refusal(request, names)
        return self.get_response(request)


def _has_nul(name: str, values: list[str]) -> bool:
    return "\x00" in name or any("\x00" in value for value in values)


def refusal(request, names: list[str]):
    message = "A NUL character is not allowed."
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {name: [message] for name in names}}, status=400)
    text = "; ".join(f"{name.replace(chr(0), '?')}: {message}" for name in names)
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")
