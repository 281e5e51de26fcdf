"""Reads for catalogue pages, each with the joins and prefetches its page needs (no N+1)."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Min, Q, QuerySet

from catalog.models import Category, Product

SORTS = {
    "newest": ("-date_created", "-pk"),
    "price-asc": ("min_price", "pk"),
    "price-desc": ("-min_price", "pk"),
    "title-asc": ("title", "pk"),
    "title-desc": ("-title", "pk"),
}


def _with_listing_relations(products: QuerySet) -> QuerySet:
    return products.select_related("product_class", "parent").prefetch_related(
        "images", "stockrecords", "children__stockrecords"
    )


def search_filter(products: QuerySet, *, query: str, fields=("title", "description")) -> QuerySet:
    """Match every word of ``query``; on PostgreSQL use full-text search and rank the results."""
    if not query:
        return products
    if connection.vendor == "postgresql":
        vector = SearchVector(fields[0], weight="A", config="english") + SearchVector(
            *fields[1:], weight="B", config="english"
        )
        search_query = SearchQuery(query, search_type="websearch", config="english")
        return products.annotate(search=vector, rank=SearchRank(vector, search_query)).filter(search=search_query)
    for word in query.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        products = products.filter(condition)
    return products


def browsable_products(*, query: str = "", category: Category | None = None, sort_by: str = "") -> QuerySet:
    products = Product.objects.browsable()
    if category is not None:
        products = products.filter(categories__in=category.get_descendants_and_self()).distinct()
    products = search_filter(products, query=query)
    if sort_by in ("price-asc", "price-desc"):
        products = products.annotate(min_price=Min("stockrecords__price"))
    if sort_by in SORTS:
        ordering = SORTS[sort_by]
    elif query and connection.vendor == "postgresql":
        ordering = ("-rank", "pk")
    else:
        ordering = ("-date_created", "-pk")
    return _with_listing_relations(products.order_by(*ordering))
