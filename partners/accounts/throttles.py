"""Per-address and per-account limits on the anonymous account forms (sign-in, password
reset), counted in the shared cache over a sliding window of fixed buckets. They refuse the
attempt, not the account: nobody can lock a victim out by failing from their own address."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int

    def _key(self, subject: str, bucket: int) -> str:
        return f"limit:{self.name}:{subject}:{bucket}"

    def _buckets(self, now: float) -> list[int]:
        size = max(self.window_seconds // 4, 1)  # four buckets make the window slide
        current = int(now // size)
        return [current - n for n in range(4)]

    def used(self, subject: str, now: float | None = None) -> int:
        keys = [self._key(subject, b) for b in self._buckets(now or time.time())]
        return sum(cache.get_many(keys).values())

    def exceeded(self, subject: str, now: float | None = None) -> bool:
        return self.used(subject, now) >= self.attempts

    def clear(self, subject: str, now: float | None = None) -> None:
        cache.delete_many([self._key(subject, b) for b in self._buckets(now or time.time())])

    def count(self, subject: str, now: float | None = None) -> None:
        key = self._key(subject, self._buckets(now or time.time())[0])
        if not cache.add(key, 1, timeout=self.window_seconds + 60):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=self.window_seconds + 60)


def sign_in_from_address() -> Limit:
    return Limit("signin-address", settings.SOSA_SIGNIN_FAILURES_PER_ADDRESS, 15 * 60)


def reset_mails_to_address() -> Limit:
    return Limit("reset-email", settings.SOSA_PASSWORD_RESETS_PER_EMAIL, 60 * 60)


def reset_mails_from_address() -> Limit:
    return Limit("reset-address", settings.SOSA_PASSWORD_RESETS_PER_ADDRESS, 60 * 60)


def pages_per_person() -> Limit:
    return Limit("pages", settings.SOSA_PAGES_PER_MINUTE, 60)


class PagesPerPersonMiddleware:
    """Pages are throttled per signed-in person as the API is per token (issue 17, point 9):
    past SOSA_PAGES_PER_MINUTE in a sliding minute, a 429 with Retry-After. A person reading
    and clicking never comes near it; a script fetching the queue's CSV in a loop does. The
    API (its own throttle), static files and the health check are not counted."""

    EXEMPT = ("/api/", "/static/", "/healthz", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.SOSA_PAGES_PER_MINUTE or request.path.startswith(self.EXEMPT):
            return self.get_response(request)  # before touching the (lazy) user
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            limit, subject = pages_per_person(), str(user.pk)
            if limit.exceeded(subject):
                return too_many_pages(request)
            limit.count(subject)
        return self.get_response(request)


def too_many_pages(request):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response
