"""Waybill photos made on the spot for tests and demos: Pillow + Noto Sans CJK, slightly rotated, noisy, JPEG."""

from __future__ import annotations

import io
from pathlib import Path

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
EXPOSED = ["运单号 ZT78451236901", "收件人：王建国 13912345678", "福建省莆田市涵江区涵华东路88号3幢201室",
           "寄件人：林* 139****5678", "重量 1.2kg 客服 95311"]
MASKED = ["运单号 ZT78451236902", "收件人：王** 1******5678", "福建省莆田市涵江区涵华东路88号****",
          "寄件人：林* *******1234", "重量 1.2kg 客服 95311"]


def waybill_photo(lines: list[str], seed: int = 3) -> bytes:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(FONT), 34, index=2)
    img = Image.new("RGB", (900, 420), (246, 244, 236))
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((40, 30 + i * 74), line, font=font, fill=(20, 20, 20))
    img = img.rotate(1.5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(200, 200, 200))
    rng = np.random.default_rng(seed)
    arr = np.asarray(img).astype(np.int16) + rng.normal(0, 12, (img.height, img.width, 1)).astype(np.int16)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()
