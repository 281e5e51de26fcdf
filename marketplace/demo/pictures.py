"""Pictures for the demo shop, drawn here with Pillow: one per design (its name on its category's colour, with a
simple outline of a machine), and one per product (the design's, with the product's level written across it), so
every page of the demo shows a picture while the demo downloads nothing and the repository keeps no image files.
Deterministic: the same design always gets the same picture."""

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

SIZE = (800, 600)
PALETTE = ["#2e7d32", "#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#558b2f", "#ad1457", "#4e342e", "#37474f"]
LEVEL_BANDS = {1: "#1b5e20", 2: "#0d47a1", 3: "#4a148c"}


def _colour(key: str) -> str:
    return PALETTE[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(PALETTE)]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def picture(*, title: str, category: str, band: str = "", level: int | None = None) -> bytes:
    """A PNG: ``title`` on the category's colour, a gear and a frame drawn as a machine, and ``band`` (e.g. the
    level) across the bottom."""
    image = Image.new("RGB", SIZE, _colour(category))
    draw = ImageDraw.Draw(image)
    # a machine: a frame on legs, a gear, a work surface
    draw.rounded_rectangle((470, 170, 730, 390), radius=18, outline="white", width=8)
    draw.line((500, 390, 500, 450), fill="white", width=8)
    draw.line((700, 390, 700, 450), fill="white", width=8)
    draw.ellipse((540, 210, 660, 330), outline="white", width=8)
    for x, y in ((600, 196), (600, 344), (526, 270), (674, 270)):
        draw.rectangle((x - 10, y - 10, x + 10, y + 10), fill="white")
    font = ImageFont.load_default(size=46)
    small = ImageFont.load_default(size=26)
    top = 150
    for line in _wrap(draw, title, font, 380)[:4]:
        draw.text((50, top), line, font=font, fill="white")
        top += 58
    draw.text((50, 80), category.upper(), font=small, fill="#ffffffcc")
    if band:
        draw.rectangle((0, 500, SIZE[0], SIZE[1]), fill=LEVEL_BANDS.get(level, "#212121"))
        draw.text((50, 530), band, font=small, fill="white")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
