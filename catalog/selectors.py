"""Reads for catalogue pages, each with the joins and prefetches its page needs (no N+1)."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from oscar.core.loading import get_model

from catalog.models import Category, Design, Level, Product

StockRecord = get_model("partner", "StockRecord")


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


def _has_options(path: str = "") -> dict:
    """Oscar's annotations saying whether the product (at ``path`` from the model queried) has options."""
    Option = get_model("catalogue", "Option")
    return {
        "has_product_class_options": Exists(Option.objects.filter(productclass=OuterRef(f"{path}product_class"))),
        "has_product_options": Exists(Option.objects.filter(product=OuterRef(f"{path}id"))),
    }


def product_to_add(*, pk: int) -> Product:
    """The product an add-to-basket form posts, with what the form and the basket read of it: its class, and whether
    it has options (so a product without options costs no question about them). A product hidden from the shop (a
    draft, an operator's one-off quote) is not found: the shop puts such a product in a basket itself."""
    products = Product.objects.filter(is_public=True).select_related("product_class")
    return get_object_or_404(products.annotate(**_has_options()), pk=pk)


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
        offer = offers.annotate(**_has_options("product__")).get(pk=offer_pk, product_id=product_pk,
                                                                 product__is_public=True)
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
