"""What each operator charges for shipping its part of an order: its storefront's flat charge, once, when that
part holds anything physical. Levels 2 and 3 (training seats, licences) and digital goods ship nothing."""

from collections.abc import Iterable
from decimal import Decimal

ZERO = Decimal("0.00")


def charges_by_partner(parts: Iterable[tuple[int, bool, Decimal]]) -> dict[int, Decimal]:
    """``parts`` are (partner id, needs shipping, the partner's flat charge) per line; the answer maps every partner
    that sells a line to its shipping charge for the order."""
    charges: dict[int, Decimal] = {}
    for partner_id, needs_shipping, flat_charge in parts:
        charges.setdefault(partner_id, ZERO)
        if needs_shipping:
            charges[partner_id] = flat_charge
    return charges


def flat_charge(partner) -> Decimal:
    storefront = getattr(partner, "storefront", None)
    return storefront.shipping_charge if storefront is not None else ZERO


def basket_charges(basket) -> dict[int, Decimal]:
    return charges_by_partner(
        (line.stockrecord.partner_id, line.product.is_shipping_required, flat_charge(line.stockrecord.partner))
        for line in basket.all_lines()
        if line.stockrecord_id
    )
