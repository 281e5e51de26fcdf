"""Synthetic designs for benchmarks: the rows of ``catalog.synthetic_data``, inserted in batches. It composes
the catalogue, the tiers and the storefronts, so it sits above them (the layers in pyproject.toml).

The same rows feed the stock Oscar peer shop (bench.stock), so both shops hold the same catalogue: 50 categories,
50 active storefronts (Campus Enterprise tier, which may offer every level in every category), and per design three
products, each offered by one storefront. Licences (level 3) stay off sale until their storefront's operator holds
the design's OSE Certified mark, as in the shop.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from oscar.checks import use_productcategory_materialised_view
from oscar.core.loading import get_model

from catalog import synthetic_data
from catalog.models import Category, Design, DesignDocument, LicenceTerms, Product, ProductCategory, ProductClass
from catalog.synthetic_data import PREFIX, DesignRow
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.services import approve_storefront
from tiers.models import Tier

StockRecord = get_model("partner", "StockRecord")
STOREFRONT_TIER = "campus"


def categories() -> list[Category]:
    """The 50 top-level categories, reused when present."""
    existing = {category.name: category for category in Category.objects.filter(depth=1)}
    return [
        existing.get(name) or Category.objects.add_root(instance=Category(name=name))
        for name in synthetic_data.category_names()
    ]


@transaction.atomic
def storefronts() -> list[Storefront]:
    """The 50 storefronts, each with its operator and Oscar partner, approved (active); reused when present."""
    User = get_user_model()
    tier = Tier.objects.get(code=STOREFRONT_TIER)
    existing = {shop.slug: shop for shop in Storefront.objects.filter(slug__startswith=f"{PREFIX}-")}
    result = []
    for row in synthetic_data.storefronts():
        storefront = existing.get(row.slug)
        if storefront is None:
            operator = User(username=row.slug, email=row.email)
            operator.set_unusable_password()
            operator.save()
            storefront = Storefront.objects.create(
                operator=operator, slug=row.slug, name=row.name, tier=tier, contact_email=row.email,
                city=row.city, country=row.country, latitude=row.latitude, longitude=row.longitude,
                tagline=f"Open source goods made in {row.city}.",
            )  # fmt: skip
        if storefront.status == Storefront.PENDING:
            storefront = approve_storefront(storefront=storefront, staff=None, notify=False)
        result.append(storefront)
    return result


def _insert(rows: list[DesignRow], *, categories: list, partners: list, classes: dict) -> None:
    designs = Design.objects.bulk_create(
        Design(
            name=row.name, slug=row.slug, summary=row.summary, description=row.description,
            category=categories[row.category], hardware_licence=row.hardware_licence,
            software_licence=row.software_licence, documentation_licence=row.documentation_licence,
            is_production_machine=row.is_production_machine, cost_materials=row.cost_materials,
            cost_labour=row.cost_labour, co2e_kg=row.co2e_kg,
        )
        for row in rows
    )  # fmt: skip
    products = Product.objects.bulk_create(
        Product(
            title=item.title, slug=item.slug, upc=item.upc, description=row.summary, product_class=classes[item.level],
            design=design, level=item.level, is_public=True,
        )
        for row, design in zip(rows, designs, strict=True)
        for item in row.products
    )  # fmt: skip
    items = [item for row in rows for item in row.products]
    ProductCategory.objects.bulk_create(
        ProductCategory(product=product, category=product.design.category) for product in products
    )
    StockRecord.objects.bulk_create(
        StockRecord(
            product=product, partner=partners[item.storefront], partner_sku=item.upc, price=item.price,
            price_currency=settings.OSCAR_DEFAULT_CURRENCY, num_in_stock=item.num_in_stock,
        )
        for product, item in zip(products, items, strict=True)
    )  # fmt: skip
    licences = {row.slug: row.licence_unit_cap for row in rows}
    LicenceTerms.objects.bulk_create(
        LicenceTerms(product=product, term_months=24, territory="Worldwide", unit_cap=licences[product.design.slug])
        for product in products
        if product.level == 3
    )
    DesignDocument.objects.bulk_create(
        DesignDocument(design=design, area=area, status=status, url=f"https://example.org/{design.slug}/{area}")
        for row, design in zip(rows, designs, strict=True)
        for area, status in row.documents
    )


def refresh_category_view() -> None:
    """Oscar keeps a PostgreSQL materialised view of products by category when configured; bulk inserts skip the
    signal that refreshes it."""
    if use_productcategory_materialised_view():
        with connection.cursor() as cursor:
            cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY catalogue_product_category_hierarchy;")


def generate_designs(
    *, count: int, batch_size: int = 1000, seed: int = 1, report: Callable[[int, int], None] = lambda d, t: None
) -> int:
    """Add ``count`` synthetic designs after those already there (each with three levels, an offer per level from
    one of the 50 storefronts, and documentation)."""
    start = Design.objects.filter(slug__startswith=f"{PREFIX}-").count()
    roots = categories()
    partners = [storefront.partner for storefront in storefronts()]
    slugs = {level: slug for level, (slug, *_) in synthetic_data.PRODUCT_CLASSES.items()}
    by_slug = {pc.slug: pc for pc in ProductClass.objects.filter(slug__in=slugs.values())}
    classes = {level: by_slug[slug] for level, slug in slugs.items()}
    done = 0
    for rows in synthetic_data.design_batches(count=count, batch_size=batch_size, seed=seed, start=start):
        with transaction.atomic():
            _insert(rows, categories=roots, partners=partners, classes=classes)
        done += len(rows)
        report(done, count)
    refresh_category_view()
    return done
