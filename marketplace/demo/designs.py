"""The catalogue of the demo: the ten common goods of the seed, the machines they are made with and an information
good, each an open design sold at all three levels (the product, training or a kit, a distribution licence). Each
design has its licences, documentation (some still incomplete, so the completeness score shows both), full costs and
a picture; its bills of materials link designs to each other, including a 3D printer that prints its own parts. The
campus (Factor e Farm) offers levels 1 and 2 of every design; licences go on sale only once a design is certified
(`certification.py`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from fpdf import FPDF
from oscar.core.loading import get_model

from catalog import standards
from catalog.models import (
    BillOfMaterialsLine,
    Category,
    Design,
    DesignDocument,
    DesignImage,
    Level,
    LicenceTerms,
    Product,
    ProductCategory,
    ProductClass,
)
from marketplace.demo.pictures import picture

ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

# slug, name, category, summary, (hardware, software, documentation licences), production machine,
# (materials, labour, energy, shipping, kg CO2e), documentation areas complete,
# level 1 (class, title, price, stock), level 2 (class, title, price, seats), level 3 (price, months, territory,
# unit cap, royalty %)
DESIGNS = [
    ("d3d-printer", "D3D Universal 3D printer", "3D printers",
     "A scalable open source 3D printer built from universal axes; prints PLA and PETG.",
     ("CERN-OHL-S-2.0", "GPL-3.0-or-later", "CC-BY-SA-4.0"), True, ("310", "180", "12", "45", "38.5"), 6,
     ("level-1-physical", "D3D printer, assembled", "985.00", 12),
     ("level-2-microfactory", "D3D printer microfactory: kit + 3-day build workshop", "1650.00", 8),
     ("4800.00", 24, "Worldwide", 5000, "3.00")),
    ("cnc-circuit-mill", "CNC circuit mill", "CNC circuit mills",
     "Mills printed circuit boards to 0.1 mm from open tool paths.",
     ("CERN-OHL-W-2.0", "GPL-3.0-or-later", "CC-BY-SA-4.0"), True, ("420", "240", "15", "60", "52"), 5,
     ("level-1-physical", "CNC circuit mill, assembled", "1450.00", 6),
     ("level-2-training", "Circuit milling production training (2 days)", "390.00", 12),
     ("6500.00", 36, "Worldwide", 2000, None)),
    ("ceb-press", "CEB compressed earth brick press", "Houses",
     "Presses up to 16 bricks a minute from soil on site; the heart of a Seed Eco-Home.",
     ("CERN-OHL-S-2.0", "GPL-3.0-or-later", "CC-BY-SA-4.0"), True, ("5200", "2400", "180", "900", "1450"), 6,
     ("level-1-physical", "CEB press, assembled", "12500.00", 3),
     ("level-2-microfactory", "CEB press build: kit + 5-day build workshop", "9800.00", 10),
     ("25000.00", 60, "Worldwide", None, "2.50")),
    ("seed-eco-home", "Seed Eco-Home", "Houses",
     "A modular, expandable house of local earth bricks and an open timber frame, built in 5 days.",
     ("CC-BY-SA-4.0", "", "CC-BY-SA-4.0"), False, ("21000", "9000", "600", "1500", "9800"), 4,
     ("level-1-physical", "Seed Eco-Home starter kit", "36000.00", 2),
     ("level-2-training", "Seed Eco-Home build immersion (10 days)", "1900.00", 20),
     ("40000.00", 60, "North America", 500, "1.00")),
    ("pex-fittings", "Printed PEX plumbing fittings", "Plumbing fittings",
     "3D-printed, pressure-tested fittings for PEX tubing.",
     ("CERN-OHL-P-2.0", "MIT", "CC-BY-4.0"), False, ("4.20", "6.00", "0.80", "3.50", "1.2"), 3,
     ("level-1-physical", "PEX fitting set (24 pieces)", "24.00", 400),
     ("level-2-training", "Printing pressure-rated fittings (webinar + lab)", "120.00", 30),
     ("2500.00", 24, "Worldwide", 100000, None)),
    ("seed-potatoes", "Open-pollinated seed potatoes", "Potatoes",
     "An open-pollinated potato line with an open growing and storage protocol.",
     ("CC-BY-SA-4.0", "", "CC-BY-SA-4.0"), False, ("6.00", "7.50", "1.20", "3.00", "2.4"), 2,
     ("level-1-physical", "Seed potatoes, 10 kg", "18.50", 150),
     ("level-2-training", "Potato growing and storage course (1 day)", "60.00", 25),
     ("900.00", 12, "European Union", None, "5.00")),
    ("open-tablet", "Open source tablet", "Tablets",
     "A repairable tablet with an open mainboard design and a mainline Linux kernel.",
     ("CERN-OHL-S-2.0", "GPL-2.0-only", "CC-BY-SA-4.0"), False, ("110", "45", "4", "12", "60"), 5,
     ("level-1-physical", "Open source tablet, 10 inch", "240.00", 25),
     ("level-2-training", "Tablet assembly and repair training (3 days)", "450.00", 10),
     ("15000.00", 36, "Worldwide", 20000, None)),
    ("open-source-car", "Open Source Car", "Cars",
     "A modular electric car on a bolted steel frame, powered by interchangeable Power Cubes.",
     ("CERN-OHL-S-2.0", "GPL-3.0-or-later", "CC-BY-SA-4.0"), False, ("7800", "3200", "350", "1200", "3900"), 1,
     ("level-1-physical", "Open Source Car, road-ready", "16000.00", 1),
     ("level-2-microfactory", "Car microfactory: tooling kit + 2-week build", "28000.00", 4),
     ("60000.00", 60, "Worldwide", 10000, "2.00")),
    ("trainable-robot", "Trainable robot arm", "Trainable robots",
     "A 6-axis arm taught by demonstration, built from universal axes.",
     ("CERN-OHL-W-2.0", "Apache-2.0", "CC-BY-4.0"), True, ("520", "300", "20", "80", "75"), 4,
     ("level-1-physical", "Trainable robot arm, assembled", "1900.00", 5),
     ("level-2-training", "Robot arm build and teaching course (3 days)", "520.00", 12),
     ("8000.00", 36, "Worldwide", 3000, None)),
    ("pv-panel-line", "PV panel production line", "PV panel production",
     "Laminates and frames solar panels from cells; upstream, sand to silicon.",
     ("CERN-OHL-S-2.0", "GPL-3.0-or-later", "CC-BY-SA-4.0"), True, ("65000", "12000", "3000", "4000", "21000"), 3,
     ("level-1-physical", "PV panel, 300 W", "190.00", 60),
     ("level-2-microfactory", "PV panel microfactory: laminator kit + training", "48000.00", 2),
     ("90000.00", 60, "Worldwide", None, "1.50")),
    ("pyrolysis-fuel", "Pyrolysis fuel unit", "Fuel production",
     "Turns woody biomass and waste plastic into fuel oil, gas and biochar.",
     ("CERN-OHL-S-2.0", "GPL-3.0-or-later", "CC-BY-SA-4.0"), True, ("3800", "1800", "250", "600", "1100"), 2,
     ("level-1-physical", "Pyrolysis fuel unit, 50 l/day", "8900.00", 2),
     ("level-2-training", "Safe pyrolysis operation course (2 days)", "340.00", 8),
     ("30000.00", 48, "Worldwide", 500, "2.00")),
    ("power-cube", "Power Cube", "Fuel production",
     "A self-contained hydraulic power unit that drives the press, the car and the tractor.",
     ("CERN-OHL-S-2.0", "", "CC-BY-SA-4.0"), True, ("2400", "900", "60", "350", "720"), 6,
     ("level-1-physical", "Power Cube, 28 hp", "5200.00", 4),
     ("level-2-training", "Power Cube build course (4 days)", "780.00", 10),
     ("20000.00", 48, "Worldwide", 4000, None)),
    ("microfactory-handbook", "Open Source Microfactory handbook", "Information goods > Books",
     "How to run a local microfactory: production, quality control and enterprise.",
     ("CC-BY-SA-4.0", "", "CC-BY-SA-4.0"), False, ("0", "4", "0.05", "0", "0.1"), 6,
     ("level-1-digital", "Open Source Microfactory handbook (ebook)", "15.00", None),
     ("level-2-training", "Microfactory enterprise webinar series", "90.00", 100),
     ("1200.00", 24, "Worldwide", 50000, None)),
]  # fmt: skip

# design, (component design slug | feedstock), quantity, unit, supply
BOM = [
    ("d3d-printer", "d3d-printer", "1", "set of printed parts", "stock"),  # it prints its own parts
    ("d3d-printer", "PLA filament", "2", "kg", "stock"),
    ("d3d-printer", "Steel rod, 8 mm", "6", "m", "stock"),
    ("d3d-printer", "Arduino Mega controller", "1", "pcs", "specialised"),
    ("cnc-circuit-mill", "d3d-printer", "1", "set of printed parts", "stock"),
    ("cnc-circuit-mill", "Steel angle, 1 in", "4", "m", "stock"),
    ("cnc-circuit-mill", "Spindle motor, 300 W", "1", "pcs", "specialised"),
    ("ceb-press", "power-cube", "1", "pcs", "stock"),
    ("ceb-press", "Steel plate, 1/2 in", "180", "kg", "stock"),
    ("seed-eco-home", "Compressed earth bricks", "5000", "pcs", "stock"),
    ("seed-eco-home", "pex-fittings", "4", "sets", "stock"),
    ("seed-eco-home", "pv-panel-line", "8", "panels", "stock"),
    ("seed-eco-home", "Timber, 2x6", "240", "m", "stock"),
    ("pex-fittings", "PETG filament", "0.4", "kg", "stock"),
    ("seed-potatoes", "Seed tubers", "10", "kg", "stock"),
    ("open-tablet", "cnc-circuit-mill", "1", "milled mainboard", "stock"),
    ("open-tablet", "Display panel, 10 in", "1", "pcs", "specialised"),
    ("open-source-car", "power-cube", "2", "pcs", "stock"),
    ("open-source-car", "Steel tube, 4 in", "60", "m", "stock"),
    ("trainable-robot", "d3d-printer", "1", "set of printed parts", "stock"),
    ("trainable-robot", "Stepper motor, NEMA 23", "6", "pcs", "specialised"),
    ("pv-panel-line", "Silicon cells", "60", "pcs", "specialised"),
    ("pv-panel-line", "Aluminium from scrap", "3", "kg", "stock"),
    ("pyrolysis-fuel", "Steel drum, 200 l", "2", "pcs", "stock"),
    ("pyrolysis-fuel", "Cellulose feedstock", "100", "kg", "stock"),
    ("power-cube", "Steel plate, 1/4 in", "60", "kg", "stock"),
    ("power-cube", "Gasoline engine, 28 hp", "1", "pcs", "specialised"),
    ("microfactory-handbook", "Wiki pages", "1", "set", "stock"),
]


def _category(path: str) -> Category:
    node = None
    for name in (part.strip() for part in path.split(">")):
        candidates = Category.objects.filter(name=name, depth=node.depth + 1 if node else 1)
        if node:
            candidates = candidates.filter(path__startswith=node.path)
        node = candidates.get()
    return node


def _offer(product: Product, partner, price: str, stock: int | None) -> None:
    StockRecord.objects.update_or_create(
        product=product,
        partner=partner,
        defaults={
            "partner_sku": f"{partner.code}-{product.upc}",
            "price": Decimal(price),
            "price_currency": settings.OSCAR_DEFAULT_CURRENCY,
            "num_in_stock": stock,
        },
    )


def _product(design: Design, classes: dict, class_slug: str, title: str, suffix: str, category: Category) -> Product:
    product, _ = Product.objects.update_or_create(
        upc=f"{design.slug}-{suffix}"[:64],
        defaults={"title": title, "design": design, "product_class": classes[class_slug], "is_public": True,
                  "description": design.summary},
    )  # fmt: skip
    ProductCategory.objects.get_or_create(product=product, category=category)
    if not product.images.exists():
        level = product.product_class.level
        png = picture(title=title, category=category.name, band=str(Level(level).label) if level else "", level=level)
        ProductImage.objects.create(product=product, original=ContentFile(png, name=f"{product.upc}.png"),
                                    caption=title, display_order=0)  # fmt: skip
    return product


def _ebook(design: Design) -> bytes:
    """A small PDF standing in for a digital good's file (what the download link delivers)."""
    doc = FPDF(format="A5")
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.multi_cell(0, 9, design.name, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 11)
    doc.multi_cell(0, 6, f"{design.summary}\n\nLicensed {design.documentation_licence}. Demo edition.")
    return bytes(doc.output())


def level_classes() -> dict:
    """The product classes of the three levels, by slug (they come from a data migration)."""
    return {pc.slug: pc for pc in ProductClass.objects.filter(level__isnull=False)}


def load_design(row, *, classes: dict, partner, reviewer) -> Design:
    """One row of DESIGNS: the design, its picture, documentation and three products, levels 1 and 2 offered by
    ``partner`` (the campus)."""
    (slug, name, category_path, summary, (hw, sw, doc), machine, cost, complete_areas, level1, level2, level3) = row
    category = _category(category_path)
    materials, labour, energy, shipping, co2e = (Decimal(value) for value in cost)
    design, _ = Design.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name, "category": category, "summary": summary, "version": "1.0",
            "description": f"**{name}** — {summary}\n\nAll design files and documentation are free to download.",
            "repository_url": f"https://github.com/OpenSourceEcology/{slug}",
            "hardware_licence": hw, "software_licence": sw, "documentation_licence": doc,
            "is_production_machine": machine, "cost_materials": materials, "cost_labour": labour,
            "cost_energy": energy, "cost_shipping": shipping, "co2e_kg": co2e,
        },
    )  # fmt: skip
    if not design.images.exists():
        DesignImage.objects.create(design=design, caption=name, image=ContentFile(
            picture(title=name, category=category.name), name=f"{slug}.png"))  # fmt: skip
    for index, (area, _label) in enumerate(standards.AREAS):
        complete = index < complete_areas
        DesignDocument.objects.update_or_create(
            design=design,
            area=area,
            defaults={
                "status": standards.COMPLETE if complete else standards.DRAFT if index == complete_areas else "missing",
                "url": f"https://wiki.opensourceecology.org/wiki/{slug}/{area}" if index <= complete_areas else "",
                "reviewer": reviewer if complete else None,
                "reviewed_at": timezone.now() if complete else None,
            },
        )
    class_slug, title, price, stock = level1
    product = _product(design, classes, class_slug, title, "L1", category)
    _offer(product, partner, price, stock)
    if not product.is_shipping_required and not product.digital_file:
        product.digital_file.save(f"{design.slug}.pdf", ContentFile(_ebook(design)), save=True)
    class_slug, title, price, seats = level2
    _offer(_product(design, classes, class_slug, title, "L2", category), partner, price, seats)
    price, months, territory, cap, royalty = level3
    licence = _product(design, classes, "level-3-licence", f"{name}: distribution licence", "L3", category)
    LicenceTerms.objects.update_or_create(
        product=licence,
        defaults={"term_months": months, "territory": territory, "unit_cap": cap,
                  "royalty_percent": Decimal(royalty) if royalty else None},
    )  # fmt: skip
    # The licence goes on sale (campus storefront) once the design is certified: see certification.load_certification.
    return design


def load_bills_of_materials() -> None:
    """BOM: a part that names a demo design links to it (a component), anything else is feedstock."""
    designs = {design.slug: design for design in Design.objects.all()}
    for slug, part, quantity, unit, supply in BOM:
        component = designs.get(part)
        BillOfMaterialsLine.objects.update_or_create(
            design=designs[slug],
            component=component,
            feedstock="" if component else part,
            defaults={"quantity": Decimal(quantity), "unit": unit, "supply": supply},
        )
