"""The distribution licence certificate the licensee downloads, drawn with fpdf2 (pure Python)."""

from fpdf import FPDF

from marketplace.fulfilment.models import DistributionLicence


def _latin1(text: str) -> str:
    # The core PDF fonts speak Latin-1; anything else is replaced rather than failing the download.
    return text.encode("latin-1", "replace").decode("latin-1")


def licence_certificate(licence: DistributionLicence, *, verify_url: str = "") -> bytes:
    doc = FPDF(format="A4")
    doc.set_title(f"Distribution licence {licence.number}")
    doc.add_page()
    doc.set_font("Helvetica", "B", 22)
    doc.cell(0, 14, "Open Source Store", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "B", 16)
    doc.cell(0, 10, "Distribution licence (OSE Certified)", new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.set_font("Helvetica", "", 12)
    rows = [
        ("Licence number", licence.number),
        ("Licensee", licence.licensee),
        ("Design", f"{licence.design.name}, version {licence.design_version}"),
        ("Issued", licence.issued_at.strftime("%Y-%m-%d")),
    ]
    for label, value in rows:
        doc.set_font("Helvetica", "B", 12)
        doc.cell(45, 8, _latin1(label))
        doc.set_font("Helvetica", "", 12)
        doc.multi_cell(0, 8, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font("Helvetica", "B", 12)
    doc.cell(0, 8, "Terms", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 11)
    doc.multi_cell(0, 6, _latin1(licence.terms), new_x="LMARGIN", new_y="NEXT")
    doc.ln(6)
    doc.set_font("Helvetica", "I", 10)
    where = verify_url or f"/licences/{licence.number}/"
    doc.multi_cell(0, 6, _latin1(f"Verify this licence online at {where}. Signature: {licence.signature}"))
    return bytes(doc.output())
