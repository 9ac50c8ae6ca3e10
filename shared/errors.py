"""Domain exceptions. Each carries a stable error code; shared/http/api.py maps them to HTTP."""

from __future__ import annotations


class EssayApiError(Exception):
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(EssayApiError):
    code = "invalid_request"


class NotFound(EssayApiError):
    code = "not_found"


class Unavailable(EssayApiError):
    """The data store is throttling or briefly failing: the client should retry shortly."""

    code = "unavailable"


class Unauthenticated(EssayApiError):
    """No verified reader behind a route that needs one (the authorizer passed no user id)."""

    code = "unauthorized"


class Conflict(EssayApiError):
    code = "conflict"


class PayloadTooLarge(EssayApiError):
    code = "payload_too_large"


class AccessDenied(EssayApiError):
    """A signed-in reader may not read this: the body tells them how to get access (`details`)."""

    code = "subscription_required"

    def __init__(self, message: str, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class Forbidden(EssayApiError):
    """A signed-in caller whose role does not allow this route (a reader on the teachers' routes)."""

    code = "forbidden"


class TooManyRequests(EssayApiError):
    """One caller asked for more than their share (e.g. checkout sessions): retry later."""

    code = "too_many_requests"


class ConfigError(RuntimeError):
    """A function was deployed with missing or invalid settings: a fault, never the caller's."""


class StoredItemError(ValueError):
    """A stored item does not have the shape the code expects: a fault of ours, never the caller's
    (raised by the store's rows, and by the domain where a row breaks its rules)."""
