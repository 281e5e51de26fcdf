"""Reads for catalogue pages, each with the joins and prefetches its page needs (no N+1)."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from oscar.core.loading import get_model

from catalog.models import BillOfMaterialsLine, Category, Design, DesignDocument, Level, Product

StockRecord = get_model("partner", "StockRecord")


def _contribution_model():
    from certification.models import Contribution

    return Contribution


SORTS = {
    "newest": ("-date_created", "-pk"),
    "price-asc": ("min_price", "pk"),
    "price-desc": ("-min_price", "pk"),
    "title-asc": ("title", "pk"),
    "title-desc": ("-title", "pk"),
}


def search_filter(items: QuerySet, *, query: str, fields=("title", "description")) -> QuerySet:
    """Match every word of ``query``; on PostgreSQL use full-text search and rank the results."""
    if not query:
        return items
    if connection.vendor == "postgresql":
        vector = SearchVector(fields[0], weight="A", config="english") + SearchVector(
            *fields[1:], weight="B", config="english"
        )
        search_query = SearchQuery(query, search_type="websearch", config="english")
        return items.annotate(search=vector, rank=SearchRank(vector, search_query)).filter(search=search_query)
    for word in query.split():
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        items = items.filter(condition)
    return items


def _in_category(items: QuerySet, category: Category, *, lookup: str) -> QuerySet:
    return items.filter(**{f"{lookup}__in": Category.objects.filter(path__startswith=category.path)})


def browsable_products(
    *, query: str = "", category: Category | None = None, level: int | None = None, sort_by: str = ""
) -> QuerySet:
    from marketplace.storefronts.selectors import live_offers

    # a product is listed while someone offers it (sold out or not); one no one offers is not a thing to buy
    offered = live_offers().filter(product_id=OuterRef("pk"))
    offered_variant = live_offers().filter(product__parent_id=OuterRef("pk"))
    products = Product.objects.browsable().filter(Exists(offered) | Exists(offered_variant))
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
    Option = get_model("catalogue", "Option")
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


def other_levels(product: Product) -> list[Product]:
    """The design's other products that someone offers, by level: what the product page lists beside it."""
    from marketplace.storefronts.selectors import live_offers

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
    from certification.marks import holds_mark_subquery

    holds_mark = holds_mark_subquery(user="partner__storefront__operator_id", design="product__design_id")
    return StockRecord.objects.select_related("partner__storefront").annotate(holds_mark=holds_mark)


def _public_products_at(level: int) -> Exists:
    return Exists(Product.objects.filter(design_id=OuterRef("pk"), level=level, is_public=True))


def designs(
    *, query: str = "", level: int | None = None, licence: str = "", category: Category | None = None
) -> QuerySet:
    """The design directory: designs filtered by level offered, licence (any of the three) and category."""
    items = Design.objects.all()
    if category is not None:
        items = _in_category(items, category, lookup="category")
    if level:
        items = items.filter(_public_products_at(level))
    if licence:
        items = items.filter(
            Q(hardware_licence=licence) | Q(software_licence=licence) | Q(documentation_licence=licence)
        )
    items = search_filter(items, query=query, fields=("name", "summary", "description"))
    ordering = ("-rank", "name") if query and connection.vendor == "postgresql" else ("name", "pk")
    return (
        items.annotate(**{f"has_level_{value}": _public_products_at(value) for value in Level.values})
        .select_related("category")
        .prefetch_related("documents", "images")
        .order_by(*ordering)
    )


def design_detail(*, slug: str, origin=None) -> Design:
    """A design with everything its page shows, in a fixed number of queries; live offers nearest first when the
    shopper is located (``origin``), else cheapest first."""
    from marketplace.storefronts.selectors import live_offers

    Contribution = _contribution_model()
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


def _has_options(path: str = "") -> dict:
    """Oscar's annotations saying whether the product (at ``path`` from the model queried) has options."""
    Option = get_model("catalogue", "Option")
    return {
        "has_product_class_options": Exists(Option.objects.filter(productclass=OuterRef(f"{path}product_class"))),
        "has_product_options": Exists(Option.objects.filter(product=OuterRef(f"{path}id"))),
    }


def product_to_add(*, pk: int) -> Product:
    """The product an add-to-basket form posts, with what the form and the basket read of it: its class, and whether
    it has options (so a product without options costs no question about them)."""
    return get_object_or_404(Product.objects.select_related("product_class").annotate(**_has_options()), pk=pk)


def offer_to_add(*, product_pk: int, offer_pk) -> StockRecord | None:
    """The offer an add-to-basket form names (the product page's buttons do), with its operator's storefront and its
    product read as ``product_to_add`` reads it, in one query; None unless the form names an offer of this product."""
    try:
        offer_pk = int(offer_pk)
    except (TypeError, ValueError):
        return None
    if not 0 < offer_pk < 2**31:
        return None  # no such offer: the form says so
    offers = StockRecord.objects.select_related("product__product_class", "partner__storefront")
    try:
        offer = offers.annotate(**_has_options("product__")).get(pk=offer_pk, product_id=product_pk)
    except StockRecord.DoesNotExist:
        return None
    offer.product.has_product_class_options = offer.has_product_class_options
    offer.product.has_product_options = offer.has_product_options
    return offer


# --- the dashboard's products, for an operator --------------------------------------------------------------------


def _offered_by_others(user) -> QuerySet:
    return StockRecord.objects.filter(product_id=OuterRef("pk")).exclude(partner__users=user)


def shared_with_others(*, product: Product, user) -> bool:
    """Whether operators other than ``user`` offer ``product`` (its title, description and images are then not the
    user's to change)."""
    return product.stockrecords.exclude(partner__users=user).exists()


def with_shared_flag(products: QuerySet, *, user) -> QuerySet:
    """The dashboard's product list, each product annotated ``shared_with_others`` for a non-staff user."""
    if user.is_staff:
        return products
    return products.annotate(shared_with_others=Exists(_offered_by_others(user)))
