"""Synthetic designs for benchmarks: many designs, each at three levels, inserted in batches."""

import random
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from oscar.core.loading import get_model

from catalog import licences, standards
from catalog.models import Category, Design, DesignDocument, LicenceTerms, Product, ProductCategory, ProductClass

Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

WORDS = (
    "solar",
    "kiln",
    "press",
    "mill",
    "lathe",
    "loom",
    "pump",
    "turbine",
    "oven",
    "dryer",
    "digester",
    "tractor",
    "seeder",
    "planer",
    "router",
    "furnace",
    "extruder",
    "shredder",
    "sawmill",
    "baler",
    "brick",
    "panel",
    "frame",
    "cart",
    "bike",
    "boat",
    "drone",
    "robot",
    "printer",
    "scanner",
    "reactor",
)
LEVEL_CLASSES = {1: "level-1-physical", 2: "level-2-training", 3: "level-3-licence"}


def _batch(rng, start: int, size: int, categories, classes, partner, prefix: str):
    hardware, software, docs = list(licences.HARDWARE), list(licences.SOFTWARE), list(licences.DOCUMENTATION)
    designs = []
    for number in range(start, start + size):
        words = rng.sample(WORDS, 3)
        designs.append(
            Design(
                name=f"{' '.join(words).title()} {number}",
                slug=f"{prefix}-{number}",
                summary=f"An open source {words[0]} {words[1]} for local {words[2]} production.",
                description=f"Synthetic design {number}: a {words[0]} {words[1]} {words[2]}.",
                category=rng.choice(categories),
                hardware_licence=rng.choice(hardware),
                software_licence=rng.choice(software),
                documentation_licence=rng.choice(docs),
                is_production_machine=rng.random() < 0.3,
                cost_materials=Decimal(rng.randint(5, 5000)),
                cost_labour=Decimal(rng.randint(5, 2000)),
                co2e_kg=Decimal(rng.randint(1, 900)),
            )
        )
    Design.objects.bulk_create(designs)
    products = []
    for design in designs:
        for level, class_slug in LEVEL_CLASSES.items():
            products.append(
                Product(
                    title=f"{design.name} (level {level})",
                    slug=f"{design.slug}-l{level}",
                    upc=f"{design.slug}-L{level}",
                    description=design.summary,
                    product_class=classes[class_slug],
                    design=design,
                    level=level,
                    is_public=True,
                )
            )
    Product.objects.bulk_create(products)
    ProductCategory.objects.bulk_create(
        [ProductCategory(product=product, category=product.design.category) for product in products]
    )
    StockRecord.objects.bulk_create(
        [
            StockRecord(
                product=product,
                partner=partner,
                partner_sku=product.upc,
                price=Decimal(rng.randint(10, 20000)),
                price_currency="USD",
                num_in_stock=None if product.level == 3 else rng.randint(0, 50),
            )
            for product in products
        ]
    )
    LicenceTerms.objects.bulk_create(
        [
            LicenceTerms(product=product, term_months=24, territory="Worldwide", unit_cap=rng.randint(100, 10000))
            for product in products
            if product.level == 3
        ]
    )
    DesignDocument.objects.bulk_create(
        [
            DesignDocument(
                design=design,
                area=code,
                status=rng.choice([standards.COMPLETE, standards.DRAFT, standards.MISSING]),
                url=f"https://example.org/{design.slug}/{code}",
            )
            for design in designs
            for code, _ in standards.AREAS
        ]
    )


def generate_designs(
    *, count: int, batch_size: int = 1000, seed: int = 1, report: Callable[[int, int], None] = lambda d, t: None
) -> int:
    """Add ``count`` synthetic designs (each with three levels, an offer per level and documentation)."""
    rng = random.Random(seed)
    prefix = "synthetic"
    start = Design.objects.filter(slug__startswith=f"{prefix}-").count()
    categories = list(Category.objects.filter(depth=1)) or [Category.add_root(name="Synthetic")]
    classes = {pc.slug: pc for pc in ProductClass.objects.filter(slug__in=LEVEL_CLASSES.values())}
    partner, _ = Partner.objects.get_or_create(code="synthetic-workshop", defaults={"name": "Synthetic Workshop"})
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        with transaction.atomic():
            _batch(rng, start + done, size, categories, classes, partner, prefix)
        done += size
        report(done, count)
    return done
