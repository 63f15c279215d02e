from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, PlainSerializer, StringConstraints, WithJsonSchema


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


_LOCAL_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")


def _local_time(value: Any) -> dt.time:
    if isinstance(value, dt.time) and value.tzinfo is None:
        return value
    if not isinstance(value, str) or not _LOCAL_TIME.match(value):
        raise ValueError("a local wall-clock time HH:MM or HH:MM:SS (Asia/Shanghai), without an offset")
    return dt.time.fromisoformat(value)


# Opening hours are wall-clock times of the place (Asia/Shanghai): no offset in or out. The published
# schema is the exact rule the validator applies, and the output is always HH:MM:SS.
LocalTime = Annotated[
    dt.time,
    BeforeValidator(_local_time),
    PlainSerializer(lambda t: t.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": _LOCAL_TIME.pattern, "example": "08:30:00",
                    "description": "local wall-clock time (Asia/Shanghai), HH:MM or HH:MM:SS, no offset"}),
]
