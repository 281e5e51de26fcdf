"""Uploaded images are checked with Pillow (real image types only, one frame, bounded bytes and pixels) and
re-encoded: what is stored is a new file Pillow wrote from the pixels, without EXIF or anything appended.

Every image field anyone uploads to is a ``PictureField`` (ours, and Oscar's product, category and attribute
images, overridden in ``catalog.models``), so every model form that shows one (dashboard, admin) checks and
re-encodes it with ``validate_image`` and ``reencode`` below. Oscar's "missing image" placeholder is copied into
MEDIA_ROOT here too (``place_missing_image``)."""

import io
import os
import shutil
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue import abstract_models
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace import internals

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 6000
MAX_PIXELS = 25_000_000
FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
ZIP_TAIL = 65_535 + 22  # a ZIP's end-of-directory record sits within this many bytes of its end


def validate_image(upload) -> None:
    if internals.is_stored(upload):
        return  # a file already stored was checked when it was uploaded (a model's full_clean sees both kinds)
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
        upload.seek(max(0, upload.size - ZIP_TAIL))
        if b"PK\x05\x06" in upload.read(ZIP_TAIL):  # a ZIP archive's directory: an image+ZIP polyglot
            raise ValidationError(_("This image carries an archive; upload the picture alone."), code="polyglot")
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
            if getattr(image, "is_animated", False):
                raise ValidationError(_("Animated images are not accepted; upload a single picture."), code="animated")
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("This file is not a valid image."), code="invalid") from exc
    finally:
        upload.seek(position)


EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}


def reencode(upload) -> SimpleUploadedFile:
    """A new file written by Pillow from the upload's pixels (checked first: ``validate_image``), in the same format,
    turned upright, without EXIF, comments or trailing bytes (a JPEG+ZIP polyglot loses its ZIP)."""
    validate_image(upload)
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind = image.format
            picture = ImageOps.exif_transpose(image)
            if kind == "JPEG" and picture.mode not in ("RGB", "L"):
                picture = picture.convert("RGB")
            out = io.BytesIO()
            picture.save(out, format=kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("This file is not a valid image."), code="invalid") from exc
    name = os.path.splitext(os.path.basename(upload.name or "image"))[0][:80] + EXTENSIONS[kind]
    return SimpleUploadedFile(name, out.getvalue(), content_type=Image.MIME[kind])


class ReencodedImageField(forms.ImageField):
    """Django's image field, storing the re-encoded picture instead of the uploaded bytes."""

    def to_python(self, data):
        # FileField's checks (empty, name) only: ``reencode`` checks bytes and pixels before Pillow decodes anything.
        upload = forms.FileField.to_python(self, data)
        return None if upload is None else reencode(upload)


class PictureField(models.ImageField):
    """A model image field whose uploads are checked (``validate_image``) and whose model forms store the
    re-encoded picture (``ReencodedImageField``). In the database and in migrations it is Django's ImageField."""

    default_validators = [validate_image]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ReencodedImageField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


def place_missing_image(name: str = "") -> Path:
    """Copy Oscar's "missing image" placeholder (``OSCAR_MISSING_IMAGE_URL``) into MEDIA_ROOT, replacing what is
    there. A copy, not Oscar's symlink: the media volume is served by another container, which cannot follow a
    link into this one. Written to a temporary file and renamed into place, so processes doing it at once all
    succeed and none ever sees half a file."""
    name = name or settings.OSCAR_MISSING_IMAGE_URL
    source = finders.find(f"oscar/img/{name}")
    if source is None:
        raise ImproperlyConfigured(f"Oscar's missing image oscar/img/{name} is not among the static files.")
    target = Path(settings.MEDIA_ROOT) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".missing-image-")
    try:
        with os.fdopen(handle, "wb") as out, open(source, "rb") as original:
            shutil.copyfileobj(original, out)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from the web server
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


class MissingProductImage(abstract_models.MissingProductImage):
    """Oscar's placeholder for a product without an image, put in place by ``place_missing_image``: on a fresh
    deployment the first pages served at once no longer race to create it (a FileExistsError answered 500)."""

    def symlink_missing_image(self, media_file_path):
        place_missing_image(self.name)
