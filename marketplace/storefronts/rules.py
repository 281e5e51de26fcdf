"""Pure rules about storefronts."""


def offer_is_live(stockrecord) -> bool:
    """An offer is live when its partner is not an operator's storefront, or the storefront is active.

    Partners without a storefront are run by the shop's staff. Reads ``partner.storefront``: prefetch it in lists.
    """
    partner = stockrecord.partner
    try:
        storefront = partner.storefront
    except partner.__class__.storefront.RelatedObjectDoesNotExist:
        return True
    return storefront.status == storefront.ACTIVE
