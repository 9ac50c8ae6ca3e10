"""Domain exceptions. Each carries a stable error code; shared/api.py maps them to HTTP."""

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
