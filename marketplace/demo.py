"""The demo shop's data: idempotent (run it again and nothing is duplicated) and reported step by step."""

from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.db import transaction
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalog.models import Product, ProductCategory, ProductClass

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

DEMO_PASSWORD = "open-source-store"  # noqa: S105 - printed for the demo shop only
DEMO_USERS = [
    # (role, email, is_staff)
    ("staff", "staff@demo.opensource.store", True),
    ("shopper", "shopper@demo.opensource.store", False),
]

CATEGORIES = [
    "Cars",
    "Houses",
    "3D printers",
    "Plumbing fittings",
    "Potatoes",
    "Tablets",
    "CNC circuit mills",
    "Trainable robots",
    "PV panel production",
    "Fuel production",
    "Information goods > Books",
    "Information goods > Webinars",
    "Information goods > Curricula",
]

PRODUCTS = [
    # (upc, title, category, price, stock, description)
    (
        "D3D-PRINTER",
        "D3D Universal 3D printer",
        "3D printers",
        "985.00",
        12,
        "An open source, scalable 3D printer built from a universal axis; prints PLA and PETG.",
    ),
    (
        "CEB-PRESS",
        "CEB compressed earth brick press",
        "Houses",
        "12500.00",
        3,
        "Presses up to 16 bricks a minute from soil on site; the heart of a Seed Eco-Home.",
    ),
    (
        "SEED-HOME",
        "Seed Eco-Home starter kit",
        "Houses",
        "36000.00",
        2,
        "Modular, expandable house built from local earth bricks and an open source timber frame.",
    ),
    (
        "PEX-FITTING",
        "Printed PEX plumbing fitting set",
        "Plumbing fittings",
        "24.00",
        400,
        "A set of 3D-printed, pressure-tested fittings for PEX tubing.",
    ),
    (
        "SEED-POTATO",
        "Certified seed potatoes, 10 kg",
        "Potatoes",
        "18.50",
        150,
        "Open-pollinated seed potatoes grown on the homestead, ready to plant.",
    ),
    (
        "OS-TABLET",
        "Open source tablet",
        "Tablets",
        "240.00",
        25,
        "A repairable tablet with an open mainboard design and a mainline Linux kernel.",
    ),
    (
        "CNC-MILL",
        "CNC circuit mill",
        "CNC circuit mills",
        "1450.00",
        6,
        "Mills printed circuit boards to 0.1 mm from open tool paths.",
    ),
    (
        "OSE-BOOK",
        "Open Source Microfactory handbook (ebook)",
        "Information goods > Books",
        "15.00",
        10000,
        "How to run a local microfactory: production, quality control and enterprise.",
    ),
]


def _step(report: Callable[[str], None], done: int, total: int, text: str) -> None:
    report(f"[{done}/{total}] {text}")


@transaction.atomic
def load_demo(report: Callable[[str], None] = print) -> dict:
    steps = 4
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

    _step(report, 2, steps, f"{len(CATEGORIES)} categories")
    categories = {path: create_from_breadcrumbs(path) for path in CATEGORIES}

    _step(report, 3, steps, "partner")
    partner, _ = Partner.objects.get_or_create(code="factor-e-farm", defaults={"name": "Factor e Farm"})

    _step(report, 4, steps, f"{len(PRODUCTS)} products with stock")
    product_class, _ = ProductClass.objects.get_or_create(
        slug="physical-good",
        defaults={"name": "Physical good", "requires_shipping": True, "track_stock": True},
    )
    for upc, title, category, price, stock, description in PRODUCTS:
        product, _ = Product.objects.update_or_create(
            upc=upc,
            defaults={
                "title": title,
                "description": description,
                "product_class": product_class,
                "is_public": True,
            },
        )
        ProductCategory.objects.get_or_create(product=product, category=categories[category])
        StockRecord.objects.update_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": upc,
                "price": Decimal(price),
                "price_currency": "USD",
                "num_in_stock": stock,
            },
        )
    return users
