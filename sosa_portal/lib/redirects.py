"""Redirect targets a visitor may choose (`next`, a form's return address), kept on this site."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_target(request, target: str | None, default: str, *, prefix: str = "") -> str:
    """`target` if it is a path or URL on this site (and starts with `prefix`), else `default`."""
    if (
        target
        and target.startswith(prefix)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def safe_next(request, default: str = "/", *, prefix: str = "") -> str:
    """The `next` parameter (form field, else query string) if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_target(request, target, default, prefix=prefix)
