import waybill_privacy
from waybill_privacy import cli


def test_it_exports_exactly_the_public_api():
    assert sorted(waybill_privacy.__all__) == sorted(
        [
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
    )


def test_every_exported_name_exists_and_public_objects_live_in_the_package():
    for name in waybill_privacy.__all__:
        member = getattr(waybill_privacy, name)
        module = getattr(member, "__module__", "waybill_privacy")
        assert module.startswith("waybill_privacy"), name


def test_no_private_module_is_reexported_by_name():
    public = {n for n in dir(waybill_privacy) if not n.startswith("_")}
    assert public - set(waybill_privacy.__all__) <= {"cli"}


def test_the_cli_exports_main_only():
    assert cli.__all__ == ["main"]


def test_every_error_derives_from_the_one_base():
    errors = [
        waybill_privacy.PolicyError,
        waybill_privacy.FieldKindError,
        waybill_privacy.RecordFormatError,
        waybill_privacy.ImageAuditError,
        waybill_privacy.OcrUnavailableError,
    ]
    for error in errors:
        assert issubclass(error, waybill_privacy.WaybillPrivacyError)
    assert issubclass(waybill_privacy.PolicyError, ValueError)
    assert issubclass(waybill_privacy.OcrUnavailableError, waybill_privacy.ImageAuditError)


def test_importing_the_library_imports_no_framework_and_no_ocr():
    import subprocess
    import sys

    code = (
        "import sys, waybill_privacy, waybill_privacy.cli;"
        "bad = [m for m in ('django', 'rapidocr', 'onnxruntime', 'numpy', 'PIL', 'pyarrow', 'tqdm')"
        " if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
