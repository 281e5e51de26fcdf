"""A corpus of hostile "images", each made in memory with Pillow or bytes: (name, file name, bytes)."""

import io
import struct
import zipfile
import zlib

from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels (a decompression bomb's promise)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def picture(kind="JPEG", size=(64, 48), colour=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind, **save)
    return out.getvalue()


def jpeg_with_exif_and_trailer() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8298] = "secret GPS-like data"  # Copyright
    return picture("JPEG", exif=exif.tobytes()) + b"TRAILING-DATA-AFTER-EOI"


def many_frames(count=60) -> bytes:
    frames = [Image.new("RGB", (16, 16), (index * 4 % 256, 0, 255 - index * 4 % 256)) for index in range(count)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=10, loop=0)
    return out.getvalue()


def jpeg_zip_polyglot() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.html", "<script>alert(1)</script>")
    return picture("JPEG") + archive.getvalue()


def hostile_corpus() -> list[tuple[str, str, bytes]]:
    jpeg, png = picture("JPEG", size=(400, 300)), picture("PNG", size=(400, 300))
    return [
        ("decompression bomb (PNG header 100000 × 100000)", "bomb.png", png_declaring(100_000, 100_000)),
        ("bomb just under Pillow's limit (9000 × 9000)", "big.png", png_declaring(9000, 9000)),
        ("huge dimensions (7000 × 8)", "wide.png", picture("PNG", size=(7000, 8))),
        ("animated GIF, 60 frames", "frames.gif", many_frames()),
        ("a PDF renamed .jpg", "document.jpg", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"),
        ("HTML renamed .jpg", "page.jpg", b"<html><body><script>alert(document.cookie)</script></body></html>"),
        ("SVG with onload renamed .png", "vector.png",
         b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'),
        ("truncated JPEG", "cut.jpg", jpeg[: len(jpeg) // 2]),
        ("truncated PNG", "cut.png", png[: len(png) // 2]),
        ("JPEG+ZIP polyglot", "polyglot.jpg", jpeg_zip_polyglot()),
        ("empty file", "empty.jpg", b""),
        ("oversized file (6 MB)", "large.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * (6 * 1024 * 1024)),
        ("TIFF (not an accepted type)", "scan.jpg", picture("TIFF")),
    ]  # fmt: skip
