"""Photo audit: OCR a waybill photo (rapidocr, models from its wheel), audit the text, locate and blur.

The OCR dependencies are the ``ocr`` extra and are imported on first use only.
"""

from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._audit import audit_text
from ._errors import ImageAuditError, OcrUnavailableError
from ._types import AuditResult, Finding, Policy

type Point = tuple[float, float]
type Quad = tuple[Point, Point, Point, Point]

_engine: Any = None
_engine_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One recognised line: its text, its quadrilateral in image pixels and the recogniser's score."""

    text: str
    box: Quad
    score: float


@dataclass(frozen=True, slots=True)
class ImageFinding:
    """A finding of the photo's text with the image regions (one per OCR line it spans) that show it."""

    finding: Finding
    boxes: tuple[Quad, ...]

    def to_dict(self) -> dict[str, Any]:
        out = self.finding.to_dict()
        out["boxes"] = [[[round(x, 1), round(y, 1)] for x, y in quad] for quad in self.boxes]
        out["reason"] = self.finding.reason
        return out


@dataclass(frozen=True, slots=True)
class ImageAuditResult:
    """The audit of one photo: the OCR lines, the text audit, each finding's boxes, the blurred copy."""

    source: str
    lines: tuple[OcrLine, ...]
    audit: AuditResult
    findings: tuple[ImageFinding, ...]
    blurred_image: Any = field(repr=False)  # a PIL image: the photo with short-of-standard findings blurred

    @property
    def compliant(self) -> bool:
        return self.audit.compliant

    @property
    def blurred_png(self) -> bytes:
        """The blurred copy encoded as PNG (encoded on demand: it costs more than the audit itself)."""
        buf = io.BytesIO()
        self.blurred_image.save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def save_blurred(self, path: str | os.PathLike[str]) -> Path:
        """Write the blurred copy; the format follows the file extension (PNG, JPEG, WebP ...)."""
        target = Path(path)
        if target.suffix.lower() in (".jpg", ".jpeg"):
            self.blurred_image.save(target, quality=90)
        elif target.suffix.lower() == ".png":
            self.blurred_image.save(target, compress_level=1)
        else:
            self.blurred_image.save(target)
        return target

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "text": self.audit.text,
            "findings": [f.to_dict() for f in self.findings],
            "masked_text": self.audit.masked_text,
            "compliant": self.audit.compliant,
            "summary": self.audit.summary(),
        }


def _get_engine() -> Any:
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr import RapidOCR
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise OcrUnavailableError(
                    "photo audit needs the 'ocr' extra: pip install 'waybill-privacy[ocr]'"
                ) from exc
            # Text detection on the photo scaled to at most 960 px on its long side (rapidocr's default
            # scales the *short* side up to 736 px, which costs 60 % more on a label photo for the same
            # text); recognition still reads the crops at full resolution.
            _engine = RapidOCR(
                params={"Global.log_level": "error", "Det.limit_type": "max", "Det.limit_side_len": 960}
            )
        return _engine


def warm_up() -> None:
    """Load the OCR models now rather than on the first photo."""
    _get_engine()


def _load(image: str | os.PathLike[str] | bytes) -> tuple[Any, str]:
    try:
        from PIL import Image, ImageOps
    except ImportError as exc:  # pragma: no cover
        raise OcrUnavailableError("photo audit needs Pillow: pip install 'waybill-privacy[ocr]'") from exc
    try:
        if isinstance(image, bytes):
            img, source = Image.open(io.BytesIO(image)), "<bytes>"
        else:
            img, source = Image.open(image), os.fspath(image)
        img.load()
    except FileNotFoundError as exc:
        raise ImageAuditError(f"no such photo: {image!s}") from exc
    except Exception as exc:
        raise ImageAuditError(f"cannot read the photo {str(image)[:200]!r}: {exc}") from exc
    return ImageOps.exif_transpose(img).convert("RGB"), source


def audit_image(
    image: str | os.PathLike[str] | bytes, *, policy: Policy | str = Policy.STANDARD
) -> ImageAuditResult:
    """OCR a waybill photo, audit its text and blur what falls short of the standard.

    ``image`` is a path or the encoded bytes of a photo (JPEG, PNG, WebP ...). The result carries the
    recognised lines, the text audit (lines joined by newlines), the boxes of each finding and a PNG
    copy of the photo in which every finding that does not meet the standard is pixelated and blurred.
    Raises :class:`ImageAuditError` for unreadable photos and :class:`OcrUnavailableError` without the
    ``ocr`` extra.
    """
    import numpy as np

    img, source = _load(image)
    engine = _get_engine()
    try:
        out = engine(np.asarray(img)[:, :, ::-1].copy())
    except Exception as exc:
        raise ImageAuditError(f"OCR failed on {source!r}: {exc}") from exc
    lines = _lines(out)
    text, spans = _join(lines)
    audit = audit_text(text, policy=policy, id=source)
    found = tuple(ImageFinding(f, _boxes(f, lines, spans)) for f in audit.findings)
    return ImageAuditResult(source, lines, audit, found, _blur(img, found))


def _lines(out: Any) -> tuple[OcrLine, ...]:
    boxes = getattr(out, "boxes", None)
    txts = getattr(out, "txts", None)
    scores = getattr(out, "scores", None)
    if boxes is None or txts is None:
        return ()
    rows = []
    for box, txt, score in zip(
        boxes, txts, scores if scores is not None else [1.0] * len(txts), strict=False
    ):
        quad = tuple((float(p[0]), float(p[1])) for p in box)
        rows.append(OcrLine(str(txt), quad, float(score)))  # type: ignore[arg-type]
    rows.sort(key=lambda r: (round(min(p[1] for p in r.box) / 12), min(p[0] for p in r.box)))
    return tuple(rows)


def _join(lines: tuple[OcrLine, ...]) -> tuple[str, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in lines:
        spans.append((pos, pos + len(line.text)))
        pos += len(line.text) + 1
    return "\n".join(line.text for line in lines), spans


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def _boxes(f: Finding, lines: tuple[OcrLine, ...], spans: list[tuple[int, int]]) -> tuple[Quad, ...]:
    """The part of each OCR line the finding covers, by the characters' share of the line's width."""
    out: list[Quad] = []
    for line, (s, e) in zip(lines, spans, strict=True):
        lo, hi = max(f.start, s), min(f.end, e)
        if lo >= hi or e == s:
            continue
        t0, t1 = (lo - s) / (e - s), (hi - s) / (e - s)
        tl, tr, br, bl = line.box
        out.append((_lerp(tl, tr, t0), _lerp(tl, tr, t1), _lerp(bl, br, t1), _lerp(bl, br, t0)))
    return tuple(out)


def _blur(img: Any, found: tuple[ImageFinding, ...]) -> Any:
    from PIL import Image, ImageFilter

    copy = img.copy()
    for item in found:
        if item.finding.meets_standard:
            continue
        for quad in item.boxes:
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            pad = max(4.0, (max(ys) - min(ys)) * 0.25)
            box = (
                max(0, int(min(xs) - pad)),
                max(0, int(min(ys) - pad)),
                min(copy.width, int(max(xs) + pad) + 1),
                min(copy.height, int(max(ys) + pad) + 1),
            )
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            region = copy.crop(box)
            w, h = region.size
            small = region.resize((max(1, w // 12), max(1, h // 12)), Image.Resampling.BILINEAR)
            region = small.resize((w, h), Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(6))
            copy.paste(region, box)
    return copy
