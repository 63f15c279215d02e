"""The photo audit on a photo the test makes: Pillow + Noto Sans CJK, rotated, noisy, JPEG-compressed.

The OCR runs once for the whole module (module-scoped fixture); it needs the ``ocr`` extra.
"""

import io
from pathlib import Path

import pytest
from waybill_privacy import ImageAuditError, audit_image
from waybill_privacy.cli import main

pytestmark = pytest.mark.ocr
np = pytest.importorskip("numpy")
PIL = pytest.importorskip("PIL")
pytest.importorskip("rapidocr")
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LINES = [
    "运单号 SF1234567890123",
    "收件人：张三 13812345678",
    "浙江省杭州市西湖区文三路90号华星大厦501室",
    "寄件人：李* 1******5678",
    "重量 2.5kg  客服 95338",
]


def make_photo() -> bytes:
    font = ImageFont.truetype(str(FONT), 34, index=2)
    img = Image.new("RGB", (900, 420), (246, 244, 236))
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(LINES):
        draw.text((40, 30 + i * 74), line, font=font, fill=(20, 20, 20))
    img = img.rotate(2.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(200, 200, 200))
    img = img.transform(
        img.size,
        Image.Transform.AFFINE,
        (1, 0.04, -8, 0.01, 1, 0),
        resample=Image.Resampling.BICUBIC,
        fillcolor=(200, 200, 200),
    )  # skew
    rng = np.random.default_rng(7)
    arr = np.asarray(img).astype(np.int16) + rng.normal(0, 14, (img.height, img.width, 1)).astype(np.int16)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=60)
    return buf.getvalue()


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    if not FONT.exists():
        pytest.skip("Noto Sans CJK is not installed")
    path = tmp_path_factory.mktemp("photos") / "waybill.jpg"
    path.write_bytes(make_photo())
    return path


@pytest.fixture(scope="module")
def result(photo):
    return audit_image(photo)


def test_the_photo_is_audited_as_its_text_would_be(result):
    got = [
        (f.finding.type, f.finding.text.replace(" ", ""), f.finding.meets_standard) for f in result.findings
    ]
    assert ("name", "张三", False) in got
    assert ("phone", "13812345678", False) in got
    assert ("address", "浙江省杭州市西湖区文三路90号华星大厦501室", False) in got
    assert ("phone", "1******5678", True) in got
    assert not any("1234567890123" in text for _, text, _ in got)  # the waybill number
    assert not result.compliant
    assert "姓名完整显示" in result.audit.summary()


def test_each_finding_has_a_box_inside_the_photo(result):
    with Image.open(io.BytesIO(result.blurred_png)) as img:
        width, height = img.size
    for item in result.findings:
        assert item.boxes
        for quad in item.boxes:
            for x, y in quad:
                assert -5 <= x <= width + 5 and -5 <= y <= height + 5


def test_the_blurred_copy_hides_the_exposed_phone_and_keeps_the_rest(result, photo):
    original = np.asarray(Image.open(photo).convert("RGB")).astype(float)
    blurred = np.asarray(Image.open(io.BytesIO(result.blurred_png)).convert("RGB")).astype(float)
    phone = next(f for f in result.findings if f.finding.text.replace(" ", "") == "13812345678")
    xs = [p[0] for q in phone.boxes for p in q]
    ys = [p[1] for q in phone.boxes for p in q]
    box = (slice(int(min(ys)), int(max(ys))), slice(int(min(xs)), int(max(xs))))
    assert np.abs(original[box] - blurred[box]).mean() > 8  # changed where the phone was
    assert blurred[box].std() < original[box].std() * 0.6  # and flattened
    waybill_row = slice(0, 60)
    assert np.abs(original[waybill_row] - blurred[waybill_row]).mean() < 1  # the waybill number is untouched


def test_the_result_serialises_with_boxes(result):
    doc = result.to_dict()
    assert doc["compliant"] is False and doc["findings"][0]["boxes"]


def test_audit_image_takes_bytes_and_rejects_garbage(photo):
    assert audit_image(photo.read_bytes()).source == "<bytes>"
    with pytest.raises(ImageAuditError):
        audit_image(b"not an image")
    with pytest.raises(ImageAuditError):
        audit_image(photo.parent / "missing.jpg")


def test_the_cli_prints_json_per_photo_and_writes_blurred_copies(photo, tmp_path, capsys):
    import json

    code = main(["audit-image", str(photo), str(photo.parent / "missing.jpg"), "--blur-out", str(tmp_path)])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert lines[0]["compliant"] is False and Path(lines[0]["blurred"]).exists()
    assert lines[1]["error"]["code"] == "ImageAuditError"
