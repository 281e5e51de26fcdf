"""A disbursement's receipt: a PDF, a JPEG or a PNG, checked by its content (not its name or the browser's word),
at most 5 MB. A picture is stored as Pillow writes it again from its pixels (``catalog.images.reencode``: no EXIF,
so no camera position, and nothing appended); a PDF must look like one from its first to its last bytes and carry
no script, launch action or attached file."""

import os
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _

from catalog.images import reencode, validate_image
from marketplace.revenue.models import Disbursement

MAX_BYTES = 5 * 1024 * 1024
PDF_TAIL = 2048  # "%%EOF" sits within the last bytes of a PDF (a few writers add a line or two after it)
# PDF names that run or carry something: JavaScript, launching a program, files, media or forms inside. A name can
# hide in a compressed object stream or as #xx escapes, so this refuses the plain cases only; what is served runs in
# a sandbox (``views.campus_receipt``) whatever it holds.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
IMAGE_TYPES = {"JPEG": Disbursement.JPEG, "PNG": Disbursement.PNG}
EXTENSIONS = {Disbursement.PDF: ".pdf", Disbursement.JPEG: ".jpg", Disbursement.PNG: ".png"}


def _refuse(message, code, **params):
    raise ValidationError(message, code=code, params=params or None)


def _pdf(upload) -> bool:
    upload.seek(0)
    return upload.read(1024).lstrip().startswith(b"%PDF-")


def _check_pdf(upload) -> None:
    upload.seek(0)
    content = upload.read()
    if b"%%EOF" not in content[-PDF_TAIL:]:
        _refuse(_("This PDF is cut short or is not a PDF: save it again from its program and upload that."), "pdf")
    if PDF_ACTIVE.search(content):
        _refuse(_("This PDF carries a script, an action or an attached file: print it to a new PDF and upload that."),
                "pdf_active")  # fmt: skip


def checked_receipt(upload) -> tuple[SimpleUploadedFile, str]:
    """The file to store and its kind (``Disbursement.PDF``, ``JPEG`` or ``PNG``), or a ValidationError saying what
    is wrong and what to upload instead."""
    if upload.size > MAX_BYTES:
        _refuse(_("The receipt is %(size).1f MB; the limit is %(limit)d MB: scan it at a lower resolution."),
                "too_large", size=upload.size / 1024 / 1024, limit=MAX_BYTES // 1024 // 1024)  # fmt: skip
    if upload.size == 0:
        _refuse(_("The receipt file is empty."), "empty")
    stem = os.path.splitext(os.path.basename(upload.name or "receipt"))[0][:80] or "receipt"
    if _pdf(upload):
        _check_pdf(upload)
        upload.seek(0)
        return SimpleUploadedFile(stem + ".pdf", upload.read(), content_type="application/pdf"), Disbursement.PDF
    try:
        validate_image(upload)
    except ValidationError as error:
        if error.code in ("too_many_pixels", "animated", "polyglot"):
            raise
        _refuse(_("A receipt is a PDF, a JPEG or a PNG; this file is none of them."), "type")
    from PIL import Image

    upload.seek(0)
    with Image.open(upload) as image:
        kind = IMAGE_TYPES.get(image.format)
    if kind is None:
        _refuse(_("A receipt is a PDF, a JPEG or a PNG; this file is none of them."), "type")
    return reencode(upload), kind
