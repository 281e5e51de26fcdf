"""Unit labels: one page per unit, the size of a shipping label (100 × 62 mm), with the serial, the design and its
version, the maker, and a QR code to the unit's public page. Drawn with fpdf2; the QR code is drawn module by module
as vector squares (crisp at any printer's resolution, no image library)."""

import segno
from fpdf import FPDF

from marketplace.lifecycle.selectors import unit_url

WIDTH, HEIGHT = 100, 62  # mm
QR_SIZE = 40  # mm, quiet zone included


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def label_qr(serial: str) -> segno.QRCode:
    """The label's QR code: the unit's public page, error correction M (a scuffed label still reads)."""
    return segno.make(unit_url(serial), error="m", micro=False)


def _draw_qr(doc: FPDF, qr: segno.QRCode, *, x: float, y: float, size: float) -> None:
    matrix = list(qr.matrix_iter(scale=1, border=2))
    module = size / len(matrix)
    doc.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):  # one rectangle per run of dark modules: a smaller, faster file
            if cells[column]:
                start = column
                while column < len(cells) and cells[column]:
                    column += 1
                doc.rect(x + start * module, y + row * module, (column - start) * module, module, style="F")
            else:
                column += 1


def labels_pdf(units) -> bytes:
    """One label per unit, in the order given."""
    doc = FPDF(orientation="P", unit="mm", format=(WIDTH, HEIGHT))
    doc.set_auto_page_break(False)
    doc.set_margins(4, 4, 4)
    doc.set_title("Unit labels")
    for unit in units:
        doc.add_page()
        _draw_qr(doc, label_qr(unit.serial), x=WIDTH - QR_SIZE - 3, y=(HEIGHT - QR_SIZE) / 2, size=QR_SIZE)
        text_width = WIDTH - QR_SIZE - 10
        doc.set_xy(5, 6)
        doc.set_font("Helvetica", "B", 8)
        doc.cell(text_width, 4, "Open Source Store", new_x="LMARGIN", new_y="NEXT")
        doc.set_x(5)
        doc.set_font("Courier", "B", 13)
        doc.cell(text_width, 8, unit.serial, new_x="LMARGIN", new_y="NEXT")
        doc.set_x(5)
        doc.set_font("Helvetica", "B", 9)
        design = unit.design.name if unit.design else (unit.product.title if unit.product else "")
        doc.multi_cell(text_width, 4.2, _latin1(design), new_x="LMARGIN", new_y="NEXT")
        doc.set_x(5)
        doc.set_font("Helvetica", "", 8)
        if unit.design_version:
            doc.cell(text_width, 4, _latin1(f"Version {unit.design_version}"), new_x="LMARGIN", new_y="NEXT")
            doc.set_x(5)
        doc.multi_cell(text_width, 4, _latin1(f"Made by {unit.maker.name}"), new_x="LMARGIN", new_y="NEXT")
        doc.set_xy(5, HEIGHT - 12)
        doc.set_font("Helvetica", "", 6.5)
        doc.multi_cell(text_width, 3, _latin1("Scan for its quality record, repairs and take-back."))
    return bytes(doc.output())
