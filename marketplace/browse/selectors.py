"""Reads for the pages that show the catalogue with its offers and marks: the catalogue's listing and search, the
design page and the product page's other levels. Each composes the catalogue with what the layers above it answer
(``storefronts``: which offers are live; ``certification``: who holds a design's mark), with the joins and
prefetches its page needs (no N+1)."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from oscar.core.loading import get_model

from catalog.models import BillOfMaterialsLine, Category, Design, DesignDocument, Product
from catalog.selectors import SORTS, designs, search_filter
from certification.marks import holds_mark_subquery
from certification.models import Contribution
from marketplace.ops import pagecache
from marketplace.storefronts.selectors import live_offers

Option = get_model("catalogue", "Option")
StockRecord = get_model("partner", "StockRecord")


def browsable_products(
    *, query: str = "", category: Category | None = None, level: int | None = None, sort_by: str = ""
) -> QuerySet:
    # a product is listed while someone offers it (sold out or not); one no one offers is not a thing to buy. A
    # parent product is offered through its variants; asked only when the catalogue has parents at all: PostgreSQL
    # plans the OR of the two EXISTS as hashed subplans over every live offer (about 1 s at 300,000 offers), where
    # the one EXISTS is a semi-join that stops at the page's 20 products (5 ms)
    offered = Exists(live_offers().filter(product_id=OuterRef("pk")))
    if _has_parents():
        offered |= Exists(live_offers().filter(product__parent_id=OuterRef("pk")))
    products = Product.objects.browsable().filter(offered)
    if category is not None:
        products = products.filter(
            Exists(
                Product.categories.through.objects.filter(
                    product_id=OuterRef("pk"), category__path__startswith=category.path
                )
            )
        )
    if level:
        products = products.filter(level=level)
    products = search_filter(products, query=query)
    if sort_by in ("price-asc", "price-desc"):
        products = products.annotate(min_price=Min("stockrecords__price"))
    if sort_by in SORTS:
        ordering = SORTS[sort_by]
    elif query and connection.vendor == "postgresql":
        ordering = ("-rank", "pk")
    else:
        ordering = ("-date_created", "-pk")
    offers = listing_offers()
    return (
        products.order_by(*ordering)
        .select_related("product_class", "parent")
        .annotate(
            # Read by Product.has_options (the add-to-basket form), instead of two queries per product.
            has_product_class_options=Exists(Option.objects.filter(productclass=OuterRef("product_class"))),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related(
            "images",
            Prefetch("stockrecords", queryset=offers),
            Prefetch("children__stockrecords", queryset=offers),
        )
    )


def _has_parents() -> bool:
    """Whether the catalogue has a parent product (variants): read once per catalogue generation."""
    key = f"browse:has-parents:{pagecache.generation()}"
    found = cache.get(key)
    if found is None:
        found = Product.objects.filter(structure=Product.PARENT).exists()
        cache.set(key, found, settings.PAGE_CACHE_SECONDS or 300)
    return found


def other_levels(product: Product) -> list[Product]:
    """The design's other products that someone offers, by level: what the product page lists beside it."""
    offered = live_offers().filter(product_id=OuterRef("pk"))
    return list(
        Product.objects.browsable()
        .filter(design_id=product.design_id)
        .exclude(pk=product.pk)
        .filter(Exists(offered))
        .select_related("product_class")
        .order_by("level", "title")
    )


def listing_offers() -> QuerySet:
    """Offers with what deciding whether each is live reads (``storefronts.rules.offer_is_live``): the partner's
    storefront, and for licences whether the operator holds the design's mark (``holds_mark``), in one query."""
    holds_mark = holds_mark_subquery(user="partner__storefront__operator_id", design="product__design_id")
    return StockRecord.objects.select_related("partner__storefront").annotate(holds_mark=holds_mark)


def design_detail(*, slug: str, origin=None) -> Design:
    """A design with everything its page shows, in a fixed number of queries; live offers nearest first when the
    shopper is located (``origin``), else cheapest first."""
    offers = live_offers(origin=origin)
    products = (
        Product.objects.filter(is_public=True)
        .select_related("product_class", "licence_terms")
        .prefetch_related(Prefetch("stockrecords", queryset=offers), "images")
        .order_by("level", "title", "pk")
    )
    return get_object_or_404(
        Design.objects.select_related("category").prefetch_related(
            Prefetch("products", queryset=products),
            Prefetch("documents", queryset=DesignDocument.objects.select_related("reviewer")),
            Prefetch("bom_lines", queryset=BillOfMaterialsLine.objects.select_related("component")),
            Prefetch("used_in_lines", queryset=BillOfMaterialsLine.objects.select_related("design")),
            "images",
            "certificates",
            "criteria",
            Prefetch(
                "contributions",
                queryset=Contribution.objects.filter(status=Contribution.ACCEPTED).select_related("author__storefront"),
                to_attr="accepted_contributions",
            ),
        ),
        slug=slug,
    )


def design_directory(
    *,
    query: str = "",
    level: int | None = None,
    licence: str = "",
    category: Category | None = None,
    min_score: int | None = None,
    by_score: bool = False,
) -> QuerySet:
    """The designs directory: the catalogue's filters, plus each design's Specifications score (``spec_score``,
    none for a design not scored yet) to filter by a floor and sort by, highest first and the unscored last."""
    items = designs(query=query, level=level, licence=licence, category=category).select_related(
        "spec_score__question_set"
    )
    if min_score is not None:
        items = items.filter(spec_score__score__gte=min_score)
    if by_score:
        items = items.order_by(F("spec_score__score").desc(nulls_last=True), "name", "pk")
    return items
