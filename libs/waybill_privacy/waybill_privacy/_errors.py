"""The one exception hierarchy of waybill_privacy.

::

    WaybillPrivacyError
    ├── PolicyError          an unknown masking policy name          (also a ValueError)
    ├── FieldKindError       an unknown field kind or column mapping (also a ValueError)
    ├── RecordFormatError    an input file the mask command cannot read
    └── ImageAuditError      a photo that cannot be read or OCR'd
        └── OcrUnavailableError  the ``ocr`` extra (rapidocr, onnxruntime, Pillow, numpy) is missing
"""

from __future__ import annotations


class WaybillPrivacyError(Exception):
    """Base class of every error this library raises on purpose."""


class PolicyError(WaybillPrivacyError, ValueError):
    """An unknown masking policy was named."""


class FieldKindError(WaybillPrivacyError, ValueError):
    """An unknown kind of personal data, or a malformed column mapping, was given."""


class RecordFormatError(WaybillPrivacyError):
    """A record file cannot be read: unknown format, missing column, broken file."""


class ImageAuditError(WaybillPrivacyError):
    """A photo cannot be decoded or recognised."""


class OcrUnavailableError(ImageAuditError):
    """The optional OCR dependencies are not installed (``pip install waybill-privacy[ocr]``)."""
