"""Reads for storefront pages and offer lists. Distances are computed in the database query (haversine)."""

from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.shortcuts import get_object_or_404
from oscar.core.loading import get_model

from marketplace.storefronts.geo import Location
from marketplace.storefronts.models import Storefront

StockRecord = get_model("partner", "StockRecord")
EARTH_RADIUS_KM = 6371.0


def _live_offer() -> Q:
    """Offers of the shop's own partners, or of active storefronts; licences (level 3) only while the operator
    holds the design's OSE Certified mark."""
    from certification.marks import holds_mark_subquery

    holds_mark = holds_mark_subquery(user="partner__storefront__operator_id", design="product__design_id")
    active = Q(partner__storefront__status=Storefront.ACTIVE) & (
        ~Q(product__level=3) | Q(product__design__isnull=True) | Q(holds_mark)
    )
    return Q(withdrawn_at__isnull=True) & (Q(partner__storefront__isnull=True) | active)


def distance_km(origin: Location, *, prefix: str = ""):
    """A query expression: great-circle distance from ``origin`` to the row's latitude/longitude fields."""
    lat1, lon1 = Radians(Value(origin.latitude)), Radians(Value(origin.longitude))
    lat2 = Radians(Cast(F(f"{prefix}latitude"), FloatField()))
    lon2 = Radians(Cast(F(f"{prefix}longitude"), FloatField()))
    a = Power(Sin((lat2 - lat1) / 2), 2) + Cos(lat1) * Cos(lat2) * Power(Sin((lon2 - lon1) / 2), 2)
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a))


def live_offers(*, origin: Location | None = None) -> QuerySet:
    """Offers from active storefronts (and the shop's own partners): nearest first when the shopper is located,
    else cheapest first."""
    offers = StockRecord.objects.filter(_live_offer()).select_related("partner__storefront__tier", "product")
    if origin is None:
        return offers.order_by("price", "pk")
    return offers.annotate(distance_km=distance_km(origin, prefix="partner__storefront__")).order_by(
        F("distance_km").asc(nulls_last=True), "price", "pk"
    )


def active_storefronts() -> QuerySet:
    return Storefront.objects.filter(status=Storefront.ACTIVE).select_related("tier")


def storefront_directory(*, tier=None, category=None, origin: Location | None = None) -> QuerySet:
    storefronts = active_storefronts()
    if tier is not None:
        storefronts = storefronts.filter(tier=tier)
    if category is not None:
        storefronts = storefronts.filter(
            partner__stockrecords__product__categories__path__startswith=category.path
        ).distinct()
    if origin is not None:
        return storefronts.annotate(distance_km=distance_km(origin)).order_by("distance_km", "name")
    return storefronts.order_by("name")


def storefront_page(*, slug: str, viewer) -> Storefront:
    """An active storefront; staff and its own operator also see it while not active."""
    storefronts = Storefront.objects.select_related("tier", "partner")
    if not (viewer.is_authenticated and viewer.is_staff):
        storefronts = storefronts.filter(Q(status=Storefront.ACTIVE) | Q(operator_id=getattr(viewer, "pk", None)))
    return get_object_or_404(storefronts, slug=slug)


def storefront_offers(storefront: Storefront) -> QuerySet:
    """The storefront's offers of public products, by level and title, for a paginated page."""
    if not storefront.partner_id:
        return StockRecord.objects.none()
    return (
        StockRecord.objects.filter(partner_id=storefront.partner_id, product__is_public=True, withdrawn_at=None)
        .select_related("product__product_class", "product__design")
        .order_by("product__level", "product__title", "pk")
    )


def marked_designs(storefront: Storefront, marked_ids: set[int]) -> QuerySet:
    """Designs the storefront offers and may show the OSE Certified mark on."""
    from catalog.models import Design

    return Design.objects.filter(pk__in=marked_ids, products__stockrecords__partner_id=storefront.partner_id).distinct()


def storefront_for_operator(user) -> Storefront:
    return get_object_or_404(Storefront.objects.select_related("tier", "partner"), operator_id=user.pk)


def lines_for_user(user, lines: QuerySet) -> QuerySet:
    """Order lines a dashboard user may see: all for staff, else those sold through the user's partners."""
    if user.is_staff:
        return lines
    return lines.filter(partner__users=user)


# --- an operator's offers, in its dashboard --------------------------------------------------------------------


def operator_offers(storefront: Storefront) -> QuerySet:
    """Every offer of the storefront, live or withdrawn, by level and title."""
    return (
        StockRecord.objects.filter(partner_id=storefront.partner_id)
        .select_related("product__product_class", "product__design", "product__parent")
        .order_by("product__level", "product__title", "pk")
    )


def operator_offer(storefront: Storefront, pk) -> StockRecord:
    """One of the storefront's own offers; another operator's is the same 404 as a missing one."""
    return get_object_or_404(operator_offers(storefront), pk=pk)


def offerable_product(*, pk: int):
    """A product an operator may put an offer on (public, not a parent of variants), or None."""
    from catalog.models import Product

    return Product.objects.filter(is_public=True).exclude(structure=Product.PARENT).filter(pk=pk).first()


def offerable_products(*, storefront: Storefront, query: str, limit: int = 20) -> list[tuple]:
    """Public products matching ``query`` (title or design name) the storefront does not offer yet, each with the
    tier rule's refusal, if any, so the page says before the operator types a price why one cannot be offered."""
    from catalog.models import Product
    from tiers import rules as tier_rules
    from tiers.services import offer_facts

    products = (
        Product.objects.filter(is_public=True)
        .exclude(structure=Product.PARENT)
        .exclude(stockrecords__partner_id=storefront.partner_id)
        .filter(Q(title__icontains=query) | Q(design__name__icontains=query))
        .select_related("product_class", "design")
        .order_by("design__name", "level", "title")[:limit]
    )
    found = []
    for product in products:
        try:
            tier_rules.check_offer(offer_facts(storefront=storefront, product=product))
        except tier_rules.TierRuleError as error:
            found.append((product, error.message))
        else:
            found.append((product, None))
    return found


def entitled_storefronts(design) -> QuerySet:
    """Active storefronts whose operators hold the OSE Certified mark of ``design`` (certification decides who)."""
    from certification.marks import holder_ids

    return active_storefronts().filter(operator_id__in=holder_ids(design)).order_by("name")
