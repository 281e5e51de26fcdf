"""Oscar's applicator, with the site's offers read from the cache instead of the database each time a basket is
priced (every basket page, every add to basket, every checkout step)."""

import logging

from django.core.cache import cache
from django.utils import timezone
from oscar.apps.offer import applicator

from marketplace.ops import pagecache

logger = logging.getLogger(__name__)

SITE_OFFERS_SECONDS = 60


class Applicator(applicator.Applicator):
    def get_basket_offers(self, basket, user):
        """Oscar's; a basket known to hold no voucher is not asked for its vouchers (``Basket.know_vouchers``)."""
        if hasattr(basket, "know_vouchers"):
            basket.know_vouchers()
        return super().get_basket_offers(basket, user)

    def get_site_offers(self):
        """Oscar's open site offers, with their conditions and benefits. Kept under the catalogue's generation, which
        every change to an offer, condition, benefit or range retires (``marketplace.apps``), and for a minute at most;
        the date window is checked on every read, so an offer starts and ends on time."""
        from marketplace.offer.models import ConditionalOffer  # the applicator loads before the models do

        key = None
        try:
            key = f"offer:site-offers:{pagecache.generation()}"
            offers = cache.get(key)
        except Exception:  # a cache outage prices baskets from the database
            logger.warning("Site offers read from the database: the cache is unavailable", exc_info=True)
            offers = None
        if offers is None:
            offers = list(
                ConditionalOffer.objects.filter(offer_type=ConditionalOffer.SITE, status=ConditionalOffer.OPEN)
                .select_related("condition", "benefit")
                .order_by("-priority", "pk")
            )
            if key is not None:
                try:
                    cache.set(key, offers, SITE_OFFERS_SECONDS)
                except Exception:
                    logger.warning("Site offers not cached: the cache is unavailable", exc_info=True)
        moment = timezone.now()
        return [offer for offer in offers
                if (offer.start_datetime is None or offer.start_datetime <= moment)
                and (offer.end_datetime is None or moment <= offer.end_datetime)]  # fmt: skip
