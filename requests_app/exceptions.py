"""Domain errors raised by services; pages and the API map each to one status (404/403/409/400)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str = "", errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or ({"detail": [message]} if message else {})


class NotVisible(DomainError):
    """The request does not exist for this user (tenant rule): always a 404."""

    status = 404


class NotAllowed(DomainError):
    """The user sees the request but their role may not take this action."""

    status = 403


class InvalidTransition(DomainError):
    """The action is not allowed in the request's current state."""

    status = 409


class StaleVersion(DomainError):
    """Someone else changed the request since this user loaded it."""

    status = 409


class InvalidInput(DomainError):
    """Bad or missing fields; `errors` names each one."""

    status = 400
