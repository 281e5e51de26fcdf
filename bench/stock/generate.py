"""Fill the stock Oscar shop with the benchmark's catalogue, then build its Whoosh index.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_stock .venv/bin/python -m bench.stock.generate --count 10000

The same rows as our shop's ``generate_designs`` (catalog/synthetic_data.py): 50 categories, 50 partners (our
storefronts), the three product classes of our levels, and per design three products with the same titles, slugs,
UPCs, descriptions, categories, prices and stock. Run it again to add designs after those already there.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stock.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from haystack import connections as haystack_connections  # noqa: E402
from oscar.checks import use_productcategory_materialised_view  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

from catalog import synthetic_data  # noqa: E402
from catalog.synthetic_data import PREFIX, DesignRow  # noqa: E402

Category = get_model("catalogue", "Category")
Country = get_model("address", "Country")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
StockRecord = get_model("partner", "StockRecord")


def reference_data() -> tuple[list, list, dict]:
    """Countries (Oscar's checkout needs them), the 50 categories, the 50 partners and the 3 product classes."""
    if not Country.objects.exists():
        call_command("oscar_populate_countries", verbosity=0)
    existing = {category.name: category for category in Category.objects.filter(depth=1)}
    categories = [
        existing.get(name) or Category.objects.add_root(instance=Category(name=name))
        for name in synthetic_data.category_names()
    ]
    partners = [
        Partner.objects.get_or_create(code=row.slug, defaults={"name": row.name})[0]
        for row in synthetic_data.storefronts()
    ]
    classes = {
        level: ProductClass.objects.get_or_create(
            slug=slug, defaults={"name": name, "requires_shipping": shipping, "track_stock": stock}
        )[0]
        for level, (slug, name, shipping, stock) in synthetic_data.PRODUCT_CLASSES.items()
    }
    return categories, partners, classes


def insert(rows: list[DesignRow], *, categories: list, partners: list, classes: dict) -> None:
    items = [(row, item) for row in rows for item in row.products]
    products = Product.objects.bulk_create(
        Product(
            title=item.title, slug=item.slug, upc=item.upc, description=row.summary, product_class=classes[item.level],
            is_public=True,
        )
        for row, item in items
    )  # fmt: skip
    ProductCategory.objects.bulk_create(
        ProductCategory(product=product, category=categories[row.category])
        for product, (row, _item) in zip(products, items, strict=True)
    )
    StockRecord.objects.bulk_create(
        StockRecord(
            product=product, partner=partners[item.storefront], partner_sku=item.upc, price=item.price,
            price_currency="USD", num_in_stock=item.num_in_stock,
        )
        for product, (_row, item) in zip(products, items, strict=True)
    )  # fmt: skip


def generate(*, count: int, batch_size: int = 1000, seed: int = 1, report=lambda done, total: None) -> int:
    start = Product.objects.filter(upc__startswith=f"{PREFIX}-", upc__endswith="-L1").count()
    categories, partners, classes = reference_data()
    done = 0
    for rows in synthetic_data.design_batches(count=count, batch_size=batch_size, seed=seed, start=start):
        with transaction.atomic():
            insert(rows, categories=categories, partners=partners, classes=classes)
        done += len(rows)
        report(done, count)
    if use_productcategory_materialised_view():  # off by default; bulk inserts skip the signal that refreshes it
        with connection.cursor() as cursor:
            cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY catalogue_product_category_hierarchy;")
    return done


class _Progress:
    """A queryset as haystack's backend takes it (iterable, with a length), reporting every 1,000 objects."""

    def __init__(self, queryset, report):
        self.queryset, self.report, self.total = queryset, report, queryset.count()

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        for done, obj in enumerate(self.queryset.iterator(chunk_size=1000), start=1):
            if done % 1000 == 0 or done == self.total:
                self.report(done, self.total)
            yield obj


def rebuild_index(*, report=lambda done, total: None) -> int:
    """What ``manage.py rebuild_index --noinput --batch-size <all>`` does: clear the index, then write every
    browsable product in one Whoosh commit. In batches (update_index's default of 1,000) each new document makes
    Whoosh read every segment written before, so the time grows with the square of the catalogue."""
    connection = haystack_connections["default"]
    backend, index = connection.get_backend(), connection.get_unified_index().get_index(Product)
    backend.clear(models=[Product])
    products = _Progress(index.build_queryset(using="default").order_by("pk"), report)
    backend.update(index, products)
    return len(products)


def _bar(started: float, unit: str):
    def progress(done: int, total: int) -> None:
        filled = 30 * done // max(total, 1)
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} {unit}, {rate:,.0f}/s")
        sys.stdout.flush()

    return progress


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="designs to add, 3 products each (default 10,000)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-index", action="store_true", help="do not rebuild the Whoosh index")
    parser.add_argument("--index-only", action="store_true", help="only rebuild the Whoosh index")
    args = parser.parse_args(argv)
    if args.count < 1 or args.batch_size < 1:
        parser.error("--count and --batch-size must be positive.")
    if not args.index_only:
        started = time.monotonic()
        generate(count=args.count, batch_size=args.batch_size, seed=args.seed, report=_bar(started, "designs"))
        took = time.monotonic() - started
        print(f"\nGenerated {args.count:,} designs ({3 * args.count:,} products) in {took:.1f} s.")
    if not args.skip_index:
        started = time.monotonic()
        print(f"Rebuilding the Whoosh index in {settings.HAYSTACK_CONNECTIONS['default']['PATH']}")
        indexed = rebuild_index(report=_bar(started, "products"))
        print(f"\nIndexed {indexed:,} products in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main()
