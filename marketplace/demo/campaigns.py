"""Operators in the pool, one approved campaign with its spending and attributed orders, and a proposal waiting for
staff. The campaign runs from before the demo's last three paid orders to two months from now; those orders are
credited to it as if their shopper had followed its referral link."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.campaigns import services
from marketplace.campaigns.attribution import Touch
from marketplace.campaigns.models import Campaign, OrderAttribution
from marketplace.storefronts.models import Storefront

Order = get_model("order", "Order")

MEMBERS = ("factor-e-farm", "apartment-fab", "garage-works", "homestead-hub")
CAMPAIGN = {
    "slug": "the-summer-of-microfactories",
    "title": "The summer of microfactories",
    "proposer": "apartment-fab",
    "code": "BUILDLOCAL",
    "budget": Decimal("900.00"),
    "days": (-75, 60),
    "description": (
        "Every town can make what it needs. This summer the pool pays for **flyers at three maker fairs**, a short "
        "film of a printer being built in a two-room flat, and workshop tours at the campus.\n\n"
        "Follow the link, buy from any storefront taking part, and the whole network grows:\n\n"
        "- 3D printers and fittings from apartments\n- CNC mills and robot arms from garages\n"
        "- earth brick presses from homesteads"
    ),
}
# Recent and well under what the pool holds: the demo's orders fill the pool over half a year, and the campus-fund
# page shows the pool's balance month by month, which must never go below zero.
SPENDINGS = [(Decimal("180.00"), "Flyers and posters for three maker fairs", 6),
             (Decimal("240.00"), "A short film: a D3D printer built in a two-room flat", 2)]  # fmt: skip
PROPOSAL = ("garage-works", "Open hardware at the county fairs", Decimal("400.00"),
            "A stand at four county fairs in Kenya: **live CNC milling** and a robot arm sorting seeds.")  # fmt: skip
ATTRIBUTED = 3  # the shopper's last paid orders, by the referral link


def load_campaigns(logins: dict) -> None:
    """Idempotent: loading the demo again adds nothing."""
    staff, today = logins["staff"], timezone.localdate()
    stores = {store.slug: store for store in Storefront.objects.filter(slug__in=[*MEMBERS, PROPOSAL[0]])}
    for slug in MEMBERS:
        if not services.is_member(stores[slug]):
            services.join_pool(storefront=stores[slug])

    campaign = Campaign.objects.filter(slug=CAMPAIGN["slug"]).first()
    if campaign is None:
        start, end = (today + timedelta(days=days) for days in CAMPAIGN["days"])
        campaign = services.propose_campaign(
            storefront=stores[CAMPAIGN["proposer"]], title=CAMPAIGN["title"], description=CAMPAIGN["description"],
            budget=CAMPAIGN["budget"], starts_on=start, ends_on=end,
        )  # fmt: skip
        services.set_referral_code(campaign=campaign, code=CAMPAIGN["code"])
        services.approve_campaign(campaign=campaign, staff=staff, reason="Good reach for every tier; go ahead.")
        campaign.refresh_from_db()

    for amount, paid_for, days_ago in SPENDINGS:
        if not campaign.spendings.filter(paid_for=paid_for).exists():
            services.record_spending(campaign=campaign, amount=amount, paid_for=paid_for, staff=staff,
                                     spent_on=today - timedelta(days=days_ago))  # fmt: skip

    paid = Order.objects.filter(user=logins["shopper"], status__in=("Paid", "Complete")).order_by("-date_placed")
    for order in paid[:ATTRIBUTED]:
        if not OrderAttribution.objects.filter(order=order).exists():
            touched = order.date_placed - timedelta(hours=3)
            services.attribute_order(order=order, touch=Touch(campaign_id=campaign.pk, how=OrderAttribution.REFERRAL,
                                                              at=touched.isoformat()))  # fmt: skip

    proposer, title, budget, description = PROPOSAL
    if not Campaign.objects.filter(title=title).exists():
        services.propose_campaign(storefront=stores[proposer], title=title, description=description, budget=budget,
                                  starts_on=today + timedelta(days=14), ends_on=today + timedelta(days=45))  # fmt: skip
