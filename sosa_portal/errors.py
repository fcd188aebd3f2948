"""Error pages: JSON under /api/ (agency systems parse it), a finished page elsewhere."""

from django.http import HttpResponse, JsonResponse
from django.middleware import common
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views import defaults

SERVER_ERROR = "Server error; nothing was changed."
# What an error the API's own views did not answer (Django, a middleware, a crash) says.
API_MESSAGES = {
    400: "Bad request.",
    401: "Authentication credentials were not provided.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Only application/json can be answered.",
    413: "The request body is too large.",
    415: "Unsupported media type: send application/json.",
    429: "Too many requests.",
    500: SERVER_ERROR,
}
# Headers of the original response a client still needs from the JSON one.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _slashed_hint(request) -> str:
    """For `/api/v1/requests` (no trailing slash): the path that exists, for the message."""
    if request.path.endswith("/"):
        return ""
    try:
        match = resolve(request.path + "/")
    except Resolver404:
        return ""
    if match.url_name == "not-found":
        return ""
    return f" Did you mean {request.path}/ (API paths end with a slash)?"


def api_error(status: int, message: str | None = None) -> JsonResponse:
    text = message or API_MESSAGES.get(status) or "Error."
    return JsonResponse({"errors": {"detail": [text]}}, status=status)


def not_found(request, exception=None):
    if _is_api(request):
        return api_error(404, "Not found." + _slashed_hint(request))
    return defaults.page_not_found(request, exception, template_name="404.html")


def forbidden(request, exception=None):
    if _is_api(request):
        return api_error(403)
    return defaults.permission_denied(request, exception, template_name="403.html")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the form is refused, as it must be, but never a dead end. A form from
    this site (its Origin) whose view says how to come back (`after_csrf_failure`, from
    `post_or_back`) keeps what was typed and goes back to its page; otherwise a finished page
    says what happened and what to do."""
    if _is_api(request):
        return api_error(403, "CSRF check failed: send the form again from its page.")
    match = request.resolver_match
    come_back = getattr(match.func, "after_csrf_failure", None) if match else None
    own_origin = f"{request.scheme}://{request.get_host()}"
    if come_back is not None and request.META.get("HTTP_ORIGIN") == own_origin:
        return come_back(request, *match.args, **match.kwargs)
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    if _is_api(request):
        return api_error(500)
    return defaults.server_error(request, template_name="500.html")


def _is_json(response: HttpResponse) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    return media_type == "application/json" or media_type.endswith("+json")


class ApiErrorsMiddleware:
    """Under /api/ every error is JSON in the documented shape, whoever answered it: Django's
    400/413 pages, a middleware, or a view that crashed (in DEBUG too, where Django would show
    its HTML debug page). Outermost, so it sees every other middleware's answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not _is_api(request) or _is_json(response):
            return response
        if response.status_code == 404:  # DEBUG's technical 404 page
            replaced = api_error(404, "Not found." + _slashed_hint(request))
        else:
            replaced = api_error(response.status_code)
        for header in KEPT_HEADERS:
            if header in response:
                replaced[header] = response[header]
        return replaced


class CommonMiddleware(common.CommonMiddleware):
    """Django's, except that an API path without its trailing slash is never redirected: a
    redirect loses a POST's body (and in DEBUG raises an HTML 500). The JSON 404 names the
    path that exists instead."""

    def should_redirect_with_slash(self, request):
        return not _is_api(request) and super().should_redirect_with_slash(request)
