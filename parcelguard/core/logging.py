"""Keep personal data out of logs: every record passes through this filter before it is written.

Detection is the waybill_privacy library's (names after labels or beside phones, mobile and landline
numbers, addresses, ID numbers, OCR-damaged forms included), masked with the strict policy. A message
with neither a digit nor a Chinese character cannot hold any of these and skips the audit, so the
common log line costs one regex search.
"""

from __future__ import annotations

import contextlib
import logging
import re

from waybill_privacy import Policy, audit_text

_MAYBE_PERSONAL = re.compile(r"[0-9０-９\u3400-\u9fff]")
# Belt and braces after the library: any 15/18-character ID-like run (even with a wrong check
# character) and any 11-digit mobile-like run.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:\d{8}\d{3}[\dXx]|\d{9})(?![0-9A-Za-z])")


def redact(text: str) -> str:
    if not text or not _MAYBE_PERSONAL.search(text):
        return text
    with contextlib.suppress(Exception):  # a logging filter must never lose the record
        text = audit_text(text, policy=Policy.STRICT).masked_text
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
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
