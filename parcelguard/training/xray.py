"""Simple X-ray-like images for the image questions (shipped in parcelguard/static/training/xray/): a parcel
on a light background, clothes in organic orange, the packaging in mixed green and the object in metal blue,
the way screening machines colour materials. Deterministic: `python -m parcelguard.training.xray` writes them
again byte for byte."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "static" / "training" / "xray"
ORGANIC, MIXED, METAL = (236, 150, 60), (120, 180, 90), (30, 60, 160)
W, H = 360, 240


def _parcel(seed: int) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    rng = random.Random(seed)
    img = Image.new("RGB", (W, H), (245, 245, 240))
    d = ImageDraw.Draw(img)
    d.rectangle((20, 20, W - 20, H - 20), outline=MIXED, width=6)
    for _i in range(6):  # clothes and paper: soft orange blobs
        x, y = rng.randint(40, W - 120), rng.randint(40, H - 100)
        d.ellipse((x, y, x + rng.randint(50, 110), y + rng.randint(30, 70)), fill=ORGANIC)
    return img, d


def knife() -> Image.Image:
    img, d = _parcel(1)
    d.polygon([(90, 130), (250, 100), (262, 112), (100, 146)], fill=METAL)  # blade
    d.rectangle((60, 128, 100, 150), fill=(60, 90, 120))  # handle
    return img


def gun() -> Image.Image:
    img, d = _parcel(2)
    d.rectangle((110, 90, 250, 118), fill=METAL)  # barrel and slide
    d.polygon([(120, 118), (160, 118), (150, 190), (112, 190)], fill=METAL)  # grip
    d.arc((150, 112, 190, 150), 0, 180, fill=METAL, width=5)  # trigger guard
    return img


def batteries() -> Image.Image:
    img, d = _parcel(3)
    for i in range(6):
        x = 90 + i * 30
        d.rounded_rectangle((x, 80, x + 22, 170), radius=6, fill=(70, 110, 150), outline=METAL, width=3)
        d.rectangle((x + 7, 74, x + 15, 80), fill=METAL)
    return img


def bottle() -> Image.Image:
    img, d = _parcel(4)
    d.rounded_rectangle((150, 80, 210, 190), radius=14, fill=(200, 140, 70), outline=MIXED, width=4)
    d.rectangle((168, 56, 192, 80), fill=MIXED)
    d.rectangle((166, 50, 194, 58), fill=METAL)  # metal cap
    return img


IMAGES = {"knife.png": knife, "gun.png": gun, "batteries.png": batteries, "bottle.png": bottle}


def write_all(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in IMAGES.items():
        path = out / name
        draw().filter(ImageFilter.GaussianBlur(1.2)).save(path, format="PNG", optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p)
