"""Rules about storefronts' offers."""


def offer_is_live(stockrecord) -> bool:
    """An offer is live when its partner is not an operator's storefront, or the storefront is active.

    Partners without a storefront are run by the shop's staff. Reads ``partner.storefront``: prefetch it in lists.
    An offer its operator withdrew is not live.
    """
    if stockrecord.withdrawn_at is not None:
        return False
    partner = stockrecord.partner
    try:
        storefront = partner.storefront
    except partner.__class__.storefront.RelatedObjectDoesNotExist:
        return True
    if storefront.status != storefront.ACTIVE:
        return False
    product = stockrecord.product
    if product.level == 3 and product.design_id:
        # A licence stays on sale only while its operator holds the design's mark (expiry, revocation). Lists
        # annotate it (marketplace.browse.selectors.listing_offers) instead of asking once per offer.
        if hasattr(stockrecord, "holds_mark"):
            return stockrecord.holds_mark
        from certification.marks import holds_mark

        return holds_mark(user_id=storefront.operator_id, design_id=product.design_id)
    return True
