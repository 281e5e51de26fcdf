"""Uploaded images are checked with Pillow: real image types only, bounded bytes and pixels."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
MAX_PIXELS = 25_000_000
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(upload) -> None:
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The image is %(size).1f MB; the limit is %(limit)d MB."),
            code="too_large",
            params={"size": upload.size / 1024 / 1024, "limit": MAX_BYTES // 1024 // 1024},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            width, height = image.size
            if kind not in FORMATS:
                raise ValidationError(
                    _("%(kind)s images are not accepted; upload a JPEG, PNG, WebP or GIF."),
                    code="format",
                    params={"kind": kind or "Unknown"},
                )
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The image is %(w)d×%(h)d pixels; the limit is %(side)d pixels a side and 25 megapixels."),
                    code="too_many_pixels",
                    params={"w": width, "h": height, "side": MAX_SIDE},
                )
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("This file is not a valid image."), code="invalid") from exc
    finally:
        upload.seek(position)
