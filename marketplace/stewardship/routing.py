"""Where a request for repair, upgrade or take-back goes: the nearest active storefront whose operator holds the OSE
Certified mark for the unit's design, else the nearest that sells the design (a live offer of one of its products),
else none (the shop's staff find one). A storefront that declined the request is never asked again."""

from dataclasses import dataclass
from decimal import Decimal

from certification import marks
from marketplace.storefronts import selectors as storefronts
from marketplace.storefronts.geo import Location


@dataclass(frozen=True)
class Route:
    storefront: object | None  # a Storefront, or None
    reason: str  # ServiceRequest.HOLDER, SELLER or NOBODY
    distance_km: Decimal | None


def route(*, design, origin: Location, exclude=()) -> Route:
    """The storefront to ask (reads only; writes nothing): nearest mark holder, else nearest seller, else nobody."""
    if design is not None:
        candidates = storefronts.active_storefronts().exclude(pk__in=list(exclude))
        candidates = candidates.annotate(distance_km=storefronts.distance_km(origin)).order_by("distance_km", "pk")
        holder = candidates.filter(operator_id__in=marks.holder_ids(design)).first()
        if holder is not None:
            return Route(holder, "holder", _km(holder.distance_km))
        selling = storefronts.live_offers().filter(product__design=design).values("partner_id")
        seller = candidates.filter(partner_id__in=selling).first()
        if seller is not None:
            return Route(seller, "seller", _km(seller.distance_km))
    return Route(None, "nobody", None)


def _km(value) -> Decimal:
    return Decimal(str(round(float(value), 1)))
