"""Producers and non-producers of a design, counted from who sells which level (the seed: passive sellers need "many
non-producers"). A producer is a storefront with a live offer of the design's physical product (level 1, shipped)
or of its distribution licence (level 3); a non-producer sells only the design's other goods (level 1 digital
goods, level 2 training and kits). The shop's own partners (no storefront) are neither."""

from dataclasses import dataclass, field

from django.db.models import F
from django.db.models.functions import Coalesce

from marketplace.storefronts.models import Storefront
from marketplace.storefronts.selectors import live_offers


@dataclass
class DesignSellers:
    producers: list[Storefront] = field(default_factory=list)
    non_producers: list[Storefront] = field(default_factory=list)


def is_producing(*, level: int | None, physical: bool) -> bool:
    return level == 3 or (level == 1 and physical)


def sellers_by_design(design_ids) -> dict[int, DesignSellers]:
    """Each design's producing and non-producing storefronts (by name), in two queries whatever their number."""
    design_ids = list(design_ids)
    rows = (
        live_offers()
        .filter(partner__storefront__isnull=False, product__is_public=True)
        .annotate(
            design=Coalesce(F("product__design_id"), F("product__parent__design_id")),
            offer_level=Coalesce(F("product__level"), F("product__parent__level")),
            physical=Coalesce(
                F("product__product_class__requires_shipping"), F("product__parent__product_class__requires_shipping")
            ),
        )
        .filter(design__in=design_ids)
        .order_by()
        .values_list("design", "partner__storefront", "offer_level", "physical")
        .distinct()
    )
    producing: dict[int, dict[int, bool]] = {}
    for design_id, storefront_id, level, physical in rows:
        stores = producing.setdefault(design_id, {})
        stores[storefront_id] = stores.get(storefront_id, False) or is_producing(level=level, physical=bool(physical))
    stores = Storefront.objects.in_bulk({pk for found in producing.values() for pk in found})
    found = {pk: DesignSellers() for pk in design_ids}
    for design_id, by_store in producing.items():
        for storefront_id, producer in sorted(by_store.items(), key=lambda item: stores[item[0]].name.lower()):
            target = found[design_id].producers if producer else found[design_id].non_producers
            target.append(stores[storefront_id])
    return found
