"""Error pages: JSON under /api/ (agency systems parse it), a finished page elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"errors": {"detail": ["Not found."]}}, status=404)
    return defaults.page_not_found(request, exception, template_name="404.html")


def forbidden(request, exception=None):
    if _is_api(request):
        return JsonResponse({"errors": {"detail": ["Forbidden."]}}, status=403)
    return defaults.permission_denied(request, exception, template_name="403.html")


def server_error(request):
    if _is_api(request):
        return JsonResponse(
            {"errors": {"detail": ["Server error; nothing was changed."]}}, status=500
        )
    return defaults.server_error(request, template_name="500.html")
