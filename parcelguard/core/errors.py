"""Domain errors: one hierarchy, each with a stable machine-readable code and an HTTP status.

Services raise these; the API turns them into `{"error": {"code", "message", "details"}}` and the
pages into a message in the user's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.details is not None:
            body["details"] = self.details
        return {"error": body}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Invalid(DomainError):
    code = "invalid"
    status = 422
