"""Keep personal data out of logs: every record passes through this filter before it is written."""

from __future__ import annotations

import logging
import re

# Mobile numbers (with optional +86 and separators) and 15/18-character ID numbers.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:\d{8}\d{3}[\dXx]|\d{9})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub("[ID REDACTED]", text)
    return _MOBILE.sub("[PHONE REDACTED]", text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
