"""The receipt of one acceptance of the Social Contract, drawn with fpdf2 (pure Python)."""

from django.utils import timezone
from fpdf import FPDF

from marketplace.contract.models import Acceptance


def _latin1(text: str) -> str:
    # The core PDF fonts speak Latin-1; anything else is replaced rather than failing the download.
    return text.encode("latin-1", "replace").decode("latin-1")


def acceptance_receipt(acceptance: Acceptance) -> bytes:
    version = acceptance.version
    doc = FPDF(format="A4")
    doc.set_title(f"Social Contract v{version.number}: receipt of acceptance")
    doc.add_page()
    doc.set_font("Helvetica", "B", 22)
    doc.cell(0, 14, "Open Source Store", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "B", 16)
    doc.cell(0, 10, "OSE Social Contract: receipt of acceptance", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    accepted = timezone.localtime(acceptance.accepted_at)
    rows = [
        ("Name", acceptance.name),
        ("E-mail", acceptance.email),
        ("Version", f"{version.number}, published {timezone.localdate(version.published_at):%Y-%m-%d}"),
        ("Accepted", accepted.strftime("%Y-%m-%d %H:%M:%S %Z")),
        ("SHA-256", acceptance.text_sha256),
    ]
    for label, value in rows:
        doc.set_font("Helvetica", "B", 11)
        doc.cell(30, 7, _latin1(label))
        doc.set_font("Courier" if label == "SHA-256" else "Helvetica", "", 10 if label == "SHA-256" else 11)
        doc.multi_cell(0, 7, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font("Helvetica", "I", 9)
    doc.multi_cell(0, 5, _latin1("The SHA-256 is the fingerprint of the exact text below (UTF-8): anyone can hash "
                                 "the text again and compare."), new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    doc.ln(4)
    doc.set_font("Helvetica", "B", 12)
    doc.cell(0, 8, f"The text of version {version.number}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    doc.multi_cell(0, 5, _latin1(version.text), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
