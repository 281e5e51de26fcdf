"""The demo shop's data: idempotent (run it again and nothing is duplicated) and reported step by step.

The ten common goods of the seed, plus the machines they are made with and an information good, each as an open
design sold at all three levels, with licences, documentation (some still incomplete), bills of materials that
link designs to each other (including a 3D printer that prints its own parts) and full costs.
"""

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
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
from certification import services as cert_services
from certification.models import CertificationApplication, Contribution, PerformanceCriterion
from marketplace.demo_pictures import picture
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.services import approve_storefront, save_offer
from tiers.models import Tier

Partner = get_model("partner", "Partner")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

DEMO_PASSWORD = "open-source-store"  # noqa: S105 - printed for the demo shop only
DEMO_USERS = [
    # (role, email, is_staff)
    ("staff", "staff@demo.opensource.store", True),
    ("shopper", "shopper@demo.opensource.store", False),
    ("operator", "apartment@demo.opensource.store", False),
    ("certifier", "certifier@demo.opensource.store", False),
]
CERTIFIERS = ["certifier@demo.opensource.store", "certifier2@demo.opensource.store"]

# design slug: contributions (author, kind, description), criteria (metric, unit, comparison, threshold, measured)
CERTIFICATION = {
    "d3d-printer": (
        [
            ("apartment@demo.opensource.store", "improvement", "Self-packaging print profile for shipping parts."),
            ("campus@demo.opensource.store", "design", "Universal axis redesign for 30 % fewer printed parts."),
        ],
        [("Print speed", "mm/s", ">=", "60", "72"), ("Positioning error", "mm", "<=", "0.1", "0.06")],
    ),
    "ceb-press": (
        [
            ("homestead@demo.opensource.store", "production-engineering", "Jig set that halves frame welding time."),
            ("campus@demo.opensource.store", "design", "Soil-sensing hopper for consistent brick density."),
        ],
        [("Throughput", "bricks/hour", ">=", "40", "52")],
    ),
    "power-cube": (
        [("garage@demo.opensource.store", "testing", "500-hour endurance test log.")],
        [("Power output", "hp", ">=", "20", "27")],
    ),
}
CERTIFIED = ["d3d-printer", "ceb-press"]  # power-cube's application stays pending, with one approval

# One storefront per tier, in different cities, with overlapping offers:
# slug, name, tier, operator email, city, country, latitude, longitude, colour, tagline, [(upc, price, stock)]
STOREFRONTS = [
    ("curriculum-commons", "Curriculum Commons", "passive", "passive@demo.opensource.store", "Portland", "US",
     "45.523100", "-122.676500", "#6a1b9a", "Books and curricula for open source makers.",
     [("microfactory-handbook-L1", "14.00", None)]),
    ("maker-mail", "Maker Mail", "background-2", "mail@demo.opensource.store", "Berlin", "DE",
     "52.524370", "13.410530", "#00695c", "Printed handbooks by post, webinars from Berlin.",
     [("microfactory-handbook-L1", "15.50", None), ("microfactory-handbook-L2", "85.00", 60)]),
    ("apartment-fab", "Apartment Fab", "microfactory-1", "apartment@demo.opensource.store", "Kansas City", "US",
     "39.099730", "-94.578570", "#1565c0", "3D printers and printed fittings from a two-room flat.",
     [("d3d-printer-L1", "960.00", 4), ("pex-fittings-L1", "22.00", 120), ("pex-fittings-L2", "110.00", 10)]),
    ("garage-works", "Garage Works", "microfactory-2", "garage@demo.opensource.store", "Nairobi", "KE",
     "-1.283330", "36.816670", "#ef6c00", "CNC mills, robot arms and Power Cubes from a Nairobi garage.",
     [("d3d-printer-L1", "940.00", 3), ("cnc-circuit-mill-L1", "1390.00", 2), ("trainable-robot-L1", "1850.00", 2),
      ("power-cube-L1", "4900.00", 1)]),
    ("homestead-hub", "Homestead Hub", "microfactory-3", "homestead@demo.opensource.store", "Lyon", "FR",
     "45.748460", "4.846710", "#558b2f", "Earth brick presses, seed potatoes and licences, from the land.",
     [("ceb-press-L1", "12900.00", 1), ("seed-potatoes-L1", "17.00", 80), ("pex-fittings-L1", "25.00", 50),
      ("ceb-press-L3", "24000.00", None)]),
]  # fmt: skip
# Each operator ships its own goods at its own flat rate, and gives its own share to the campus fund.
SHIPPING = {
    "factor-e-farm": Decimal("45.00"), "curriculum-commons": Decimal("0.00"), "maker-mail": Decimal("4.50"),
    "apartment-fab": Decimal("15.00"), "garage-works": Decimal("35.00"), "homestead-hub": Decimal("60.00"),
}  # fmt: skip
CAMPUS_FUND = {"factor-e-farm": Decimal("20.00"), "apartment-fab": Decimal("10.00"), "garage-works": Decimal("5.00")}

CAMPUS = ("factor-e-farm", "Factor e Farm", "campus", "campus@demo.opensource.store", "Maysville", "US",
          "39.889200", "-94.362200", "#2e7d32",
          "The Campus Enterprise where the Global Village Construction Set began.")  # fmt: skip

D = Decimal

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


def _step(report: Callable[[str], None], done: int, total: int, text: str) -> None:
    report(f"[{done}/{total}] {text}")


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
            "price": D(price),
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
    from fpdf import FPDF

    doc = FPDF(format="A5")
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.multi_cell(0, 9, design.name, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 11)
    doc.multi_cell(0, 6, f"{design.summary}\n\nLicensed {design.documentation_licence}. Demo edition.")
    return bytes(doc.output())


def _load_design(row, *, classes: dict, partner, reviewer) -> Design:
    (slug, name, category_path, summary, (hw, sw, doc), machine, cost, complete_areas, level1, level2, level3) = row
    category = _category(category_path)
    materials, labour, energy, shipping, co2e = (D(value) for value in cost)
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
                  "royalty_percent": D(royalty) if royalty else None},
    )  # fmt: skip
    # The licence goes on sale (campus storefront) once the design is certified: see _load_certification.
    return design


@transaction.atomic
def load_demo(report: Callable[[str], None] = print) -> dict:
    steps = 7
    _step(report, 1, steps, "site and demo users")
    Site.objects.filter(pk=1).update(domain="127.0.0.1:8000", name="Open Source Store")
    users = {}
    User = get_user_model()
    for role, email, is_staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"username": email[:30], "is_staff": is_staff, "is_superuser": is_staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[role] = user

    _step(report, 2, steps, "the campus storefront (Factor e Farm)")
    partner, _ = Partner.objects.get_or_create(code="factor-e-farm", defaults={"name": "Factor e Farm"})
    _storefront(CAMPUS, partner=partner, password=DEMO_PASSWORD)

    classes = {pc.slug: pc for pc in ProductClass.objects.filter(level__isnull=False)}
    for done, row in enumerate(DESIGNS, start=1):
        _step(report, 3, steps, f"designs at three levels: {done}/{len(DESIGNS)} {row[1]}")
        _load_design(row, classes=classes, partner=partner, reviewer=users["staff"])

    _step(report, 4, steps, f"bills of materials: {len(BOM)} lines")
    designs = {design.slug: design for design in Design.objects.all()}
    for slug, part, quantity, unit, supply in BOM:
        component = designs.get(part)
        BillOfMaterialsLine.objects.update_or_create(
            design=designs[slug],
            component=component,
            feedstock="" if component else part,
            defaults={"quantity": D(quantity), "unit": unit, "supply": supply},
        )

    _step(report, 5, steps, "OSE Certified: contributions, performance results, certificates, a pending application")
    _load_certification(staff=users["staff"])

    _step(report, 6, steps, f"{len(STOREFRONTS)} more storefronts, one per tier, with overlapping offers")
    for row in STOREFRONTS:
        storefront = _storefront(row[:10], partner=None, password=DEMO_PASSWORD)
        for upc, price, stock in row[10]:
            save_offer(storefront=storefront, product=Product.objects.get(upc=upc), price=D(price), num_in_stock=stock)

    _step(
        report, 7, steps, "half a year of orders: paid, delivered, shipped, one refunded, one awaiting payment; payouts"
    )
    _place_demo_orders(shopper=users["shopper"], staff=users["staff"])
    _flat_pages()
    _address_book(users["shopper"])
    return users


FLAT_PAGES = [
    ("/about/", "About the Open Source Store",
     "<p>The Open Source Store is where a network of home workshops, microfactories and campuses sells open "
     "source goods: products whose designs anyone may use, study, make and improve.</p><p>Every design is sold at "
     "three levels: the product, the training or kit to make it, and a licence to mass-produce it. Every payment "
     "is split to the cent between the operator, a public campus fund, a pooled marketing fund and the design's "
     "contributors.</p>"),
    ("/contact/", "Contact", "<p>Write to <a href=\"mailto:shop@opensource.store\">shop@opensource.store</a>. For "
     "an order, write to the storefront that sold it: its contact details are on its page.</p>"),
    ("/terms/", "Terms of sale", "<p>Each storefront sells in its own name; the shop takes the payment and splits "
     "it. An order waiting for a bank transfer is cancelled if the money has not arrived within 14 days.</p>"),
    ("/privacy/", "Privacy", "<p>We keep what an order needs (name, address, e-mail) and nothing else. A licence's "
     "public page names the licensee, never an e-mail address. Card details are typed into Stripe's own form and "
     "never reach us.</p>"),
    ("/returns/", "Returns and refunds", "<p>Tell the storefront that sold it within 30 days; its refund comes "
     "back the way you paid, with the reason on your order page. A refunded download stops working.</p>"),
]  # fmt: skip


def _flat_pages() -> None:
    """The footer's pages (Oscar's flat pages: staff edit them in the dashboard, Content → Pages)."""
    from django.contrib.flatpages.models import FlatPage

    for url, title, content in FLAT_PAGES:
        page, _ = FlatPage.objects.get_or_create(url=url, defaults={"title": title, "content": content})
        page.sites.add(Site.objects.get(pk=1))


def _address_book(shopper) -> None:
    """The demo shopper's saved address, which the signed-in checkout offers."""
    UserAddress = get_model("address", "UserAddress")
    country = get_model("address", "Country").objects.get(iso_3166_1_a2="US")
    if not UserAddress.objects.filter(user=shopper).exists():
        UserAddress.objects.create(user=shopper, country=country, is_default_for_shipping=True,
                                   is_default_for_billing=True, **DEMO_ADDRESS)  # fmt: skip


DEMO_ORDERS = [
    # (months ago, offers as (storefront slug, product upc, quantity), paid?) — half a year of the shop's life
    (5, [("curriculum-commons", "microfactory-handbook-L1", 1), ("homestead-hub", "seed-potatoes-L1", 2)], True),
    (4, [("apartment-fab", "pex-fittings-L1", 3), ("apartment-fab", "pex-fittings-L2", 1)], True),
    (3, [("garage-works", "cnc-circuit-mill-L1", 1), ("factor-e-farm", "d3d-printer-L2", 1)], True),
    (2, [("factor-e-farm", "trainable-robot-L1", 1), ("maker-mail", "microfactory-handbook-L2", 2)], True),
    (1, [("homestead-hub", "seed-potatoes-L1", 5), ("apartment-fab", "d3d-printer-L1", 1)], True),
    (0, [("apartment-fab", "d3d-printer-L1", 1), ("homestead-hub", "ceb-press-L3", 1),
         ("garage-works", "power-cube-L1", 1)], True),
    (0, [("maker-mail", "microfactory-handbook-L2", 1)], False),
]  # fmt: skip
# What operators did next: (order index, storefront slug, carrier, tracking number); and one partial refund.
DEMO_ADDRESS = {"first_name": "Ada", "last_name": "Maker", "line1": "1 Workshop Lane", "line4": "Maysville",
                "postcode": "64469"}  # fmt: skip
DEMO_SHIPMENTS = [(1, "apartment-fab", "USPS", "9400 1000 0000 0000 0001"), (2, "garage-works", "DHL", "JD014600"),
                  (4, "homestead-hub", "La Poste", "6A12345678901")]  # fmt: skip
DEMO_REFUND = (3, "factor-e-farm", "150.00", "Arrived with a cracked gripper; the shopper kept the arm.")


def _place_demo_orders(*, shopper, staff) -> None:
    """Orders placed the way checkout places them (Oscar's OrderCreator, each operator's shipping, the offline
    method), paid, delivered, shipped, one partly refunded, dated over half a year; then payouts. Once."""
    from datetime import timedelta

    from marketplace.checkout.services import place_offline_order
    from marketplace.fulfilment import delivery
    from marketplace.fulfilment import services as fulfilment
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.payments import refunds
    from marketplace.payments.services import confirm_offline_payment
    from marketplace.revenue import services as revenue

    if shopper.orders.exists():
        return
    country = get_model("address", "Country").objects.get(iso_3166_1_a2="US")
    Order = get_model("order", "Order")
    PaymentEvent = get_model("order", "PaymentEvent")
    orders = []
    for months_ago, offers, paid in DEMO_ORDERS:
        offers = [
            (Storefront.objects.get(slug=slug).partner.stockrecords.get(product__upc=upc), quantity)
            for slug, upc, quantity in offers
        ]
        order = place_offline_order(offers=offers, shopper=shopper, address=DEMO_ADDRESS | {"country": country})
        placed = timezone.now() - timedelta(days=30 * months_ago + 2)
        Order.objects.filter(pk=order.pk).update(date_placed=placed)
        if paid:
            confirm_offline_payment(order_id=order.pk, actor=staff, reference=f"DEMO-SEPA-{len(orders) + 1:04d}")
            PaymentEvent.objects.filter(order=order).update(date_created=placed + timedelta(days=1))
            revenue.allocate_order(order=order)  # now, so its date is the payment's; the task then finds it done
            for line in order.lines.all():
                delivery.fulfil_line(line_id=line.pk)
        orders.append(order)
    for index, slug, carrier, tracking in DEMO_SHIPMENTS:
        part = OperatorOrder.objects.get(order=orders[index], partner__storefront__slug=slug)
        operator = Storefront.objects.get(slug=slug).operator
        fulfilment.change_status(part_id=part.pk, actor=operator, status=OperatorOrder.SHIPPED, carrier=carrier,
                                 tracking_number=tracking)  # fmt: skip
        if index == DEMO_SHIPMENTS[0][0]:  # the oldest parcel arrived, and the shopper said so; the others travel
            fulfilment.confirm_delivery(part_id=part.pk, shopper=shopper)
    index, slug, amount, reason = DEMO_REFUND
    part = OperatorOrder.objects.get(order=orders[index], partner__storefront__slug=slug)
    line = part.lines.first()
    refund = refunds.request_refund(part_id=part.pk, actor=staff, amounts={line.pk: D(amount)}, reason=reason)
    revenue.reverse_refund(refund_id=refund.pk)
    # the campus gave its bank details for payouts by hand; the other operators are asked to on their revenue page
    revenue.set_payout_details(partner_id=Storefront.objects.get(slug="factor-e-farm").partner_id,
                               holder="Factor e Farm Campus", details="DE89 3704 0044 0532 0130 00")  # fmt: skip
    payouts = revenue.run_payouts()  # operators above the threshold get a payout for staff to settle by hand
    for payout in payouts[:1]:  # one already settled, the rest waiting for staff
        revenue.settle_manual_payout(payout_id=payout.pk, actor=staff, reference="DEMO-WIRE-0001")


def _user(email: str) -> "User":  # noqa: F821
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults={"username": email[:30]})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _load_certification(*, staff) -> None:
    group = Group.objects.get(name=cert_services.CERTIFIERS)
    certifiers = [_user(email) for email in CERTIFIERS]
    for certifier in certifiers:
        certifier.groups.add(group)
    for slug, (contributions, criteria) in CERTIFICATION.items():
        design = Design.objects.get(slug=slug)
        for email, kind, description in contributions:
            contribution, _ = Contribution.objects.get_or_create(
                design=design, author=_user(email), kind=kind, design_version=design.version,
                defaults={"description": description, "evidence_links": f"https://wiki.opensourceecology.org/wiki/{slug}"},
            )  # fmt: skip
            if contribution.status == Contribution.PENDING:
                cert_services.review_contribution(contribution=contribution, certifier=certifiers[0], accept=True)
        for metric, unit, comparison, threshold, measured in criteria:
            criterion, _ = PerformanceCriterion.objects.get_or_create(
                design=design,
                metric=metric,
                defaults={"unit": unit, "comparison": comparison, "threshold": D(threshold)},
            )
            if not criterion.results.exists():
                result = cert_services.submit_result(
                    criterion=criterion, submitted_by=_user(contributions[0][0]), measured_value=D(measured),
                    evidence_url=f"https://wiki.opensourceecology.org/wiki/{slug}/results",
                )  # fmt: skip
                cert_services.review_result(result=result, certifier=certifiers[1], accept=True)
        if CertificationApplication.objects.filter(design=design, design_version=design.version).exists():
            continue
        application = cert_services.apply_for_certification(design=design, applicant=_user(contributions[0][0]))
        approvers = certifiers if slug in CERTIFIED else certifiers[:1]
        for certifier in approvers:
            cert_services.review_application(application=application, certifier=certifier, verdict="approve",
                                             note="Documentation, results and quality control checked.")  # fmt: skip
        if slug in CERTIFIED:
            cert_services.issue_certificate(application_id=application.pk)  # the task finds it issued
    campus = Storefront.objects.get(slug=CAMPUS[0])
    for row in DESIGNS:
        if row[0] in CERTIFIED:  # only mark holders may sell a design's distribution licence
            save_offer(storefront=campus, product=Product.objects.get(upc=f"{row[0]}-L3"), price=D(row[10][0]))


def _storefront(row, *, partner, password: str) -> Storefront:
    slug, name, tier_code, email, city, country, latitude, longitude, colour, tagline = row
    User = get_user_model()
    operator, created = User.objects.get_or_create(email=email, defaults={"username": email[:30]})
    if created:
        operator.set_password(password)
        operator.save()
    storefront, _ = Storefront.objects.update_or_create(
        slug=slug,
        defaults={
            "operator": operator, "name": name, "tagline": tagline, "tier": Tier.objects.get(code=tier_code),
            "about": f"{name} is an independent operator in the Open Source Store network, in {city}.",
            "contact_email": email, "city": city, "country": country, "latitude": D(latitude),
            "longitude": D(longitude), "primary_colour": colour,
            "campus_fund_percent": CAMPUS_FUND.get(slug, D("7.50")),
            "shipping_charge": SHIPPING.get(slug, D("12.00")),
        },
    )  # fmt: skip
    if partner is not None and storefront.partner_id is None:
        storefront.partner = partner
        storefront.save(update_fields=["partner"])
    if storefront.status == Storefront.PENDING:
        storefront = approve_storefront(storefront=storefront, staff=None, notify=False)
    return storefront
