"""waybill_privacy: find and mask personal information on Chinese express waybills.

Text, structured records and photos are audited against the waybill de-identification standard
(个人信息保护法, 快递市场管理办法 2024 Art. 36): at least one character of a name hidden, at least 6 of a
mobile number's 11 digits hidden, the building/unit/room part of an address hidden, and no ID number
at all. Pure Python; the photo audit needs the ``ocr`` extra.
"""

from ._audit import audit_batch, audit_text, iter_audit
from ._errors import (
    FieldKindError,
    ImageAuditError,
    OcrUnavailableError,
    PolicyError,
    RecordFormatError,
    WaybillPrivacyError,
)
from ._image import ImageAuditResult, ImageFinding, audit_image
from ._masking import DEFAULT_FIELDS, MaskFn, mask_record, mask_value, record_masker
from ._numbers import hash_id_number, is_mobile, validate_id_number
from ._types import AuditResult, BatchAudit, FieldKind, Finding, Policy

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_FIELDS",
    "AuditResult",
    "BatchAudit",
    "FieldKind",
    "FieldKindError",
    "Finding",
    "ImageAuditError",
    "ImageAuditResult",
    "ImageFinding",
    "MaskFn",
    "OcrUnavailableError",
    "Policy",
    "PolicyError",
    "RecordFormatError",
    "WaybillPrivacyError",
    "__version__",
    "audit_batch",
    "audit_image",
    "audit_text",
    "hash_id_number",
    "is_mobile",
    "iter_audit",
    "mask_record",
    "mask_value",
    "record_masker",
    "validate_id_number",
]
