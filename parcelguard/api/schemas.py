from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import StringConstraints


# PostgreSQL text cannot hold NUL; refuse it at the door rather than fail at the database.
def Text(max_length: int, min_length: int = 0) -> type[str]:
    return Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=max_length,  # type: ignore[return-value]
                                            min_length=min_length)]


class ErrorBody(Schema):
    code: str
    message: str
    details: object | None = None


class Error(Schema):
    error: ErrorBody


ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class Page[T](Schema):
    count: int
    items: list[T]
