"""Reads for the campaign pages: the public list and page, an operator's Marketing pool page (only its own figures
beside each campaign's totals), and staff's list."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from oscar.core.loading import get_model

from certification import marks
from marketplace.campaigns.models import Campaign, Participation, PoolMembership
from marketplace.money import cents
from marketplace.revenue.models import Account
from marketplace.revenue.selectors import balance
from marketplace.revenue.services import shared_account
from marketplace.storefronts.models import Storefront
from marketplace.storefronts.selectors import active_storefronts

Line = get_model("order", "Line")
Order = get_model("order", "Order")
# Orders count once paid: one still waiting for its bank transfer may yet be cancelled.
PAID = ("Paid", "Complete")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Returns:
    """What a campaign spent and brought: across the pool, and for one storefront (its own lines only)."""

    spent: Decimal
    budget: Decimal
    orders: int
    revenue: Decimal
    own_orders: int | None = None
    own_revenue: Decimal | None = None

    @property
    def revenue_per_spent(self) -> Decimal | None:
        """Revenue across the pool for each 1.00 spent so far (None before the first spending)."""
        return (self.revenue / self.spent).quantize(Decimal("0.01")) if self.spent > 0 else None


# --- public ------------------------------------------------------------------------------------------------------


def public_campaigns() -> list[Campaign]:
    """Approved campaigns, the ones running today first, then those to come, then those over (latest first)."""
    today = timezone.localdate()
    campaigns = list(Campaign.objects.filter(status__in=Campaign.PUBLIC).select_related("proposed_by"))

    def place(campaign):
        if campaign.status == Campaign.APPROVED and campaign.starts_on <= today <= campaign.ends_on:
            return 0, campaign.ends_on.toordinal()
        if campaign.status == Campaign.APPROVED and campaign.starts_on > today:
            return 1, campaign.starts_on.toordinal()
        return 2, -campaign.ends_on.toordinal()

    return sorted(campaigns, key=place)


def public_campaign(*, slug: str) -> Campaign:
    return get_object_or_404(Campaign.objects.filter(status__in=Campaign.PUBLIC).select_related("proposed_by"),
                             slug=slug)  # fmt: skip


def promoted_storefronts(campaign: Campaign) -> list[tuple]:
    """The active storefronts taking part whose operators hold an OSE Certified mark (certification decides who),
    each with the designs it shows the mark on, and when the earliest of those marks ends (for the page cache)."""
    from catalog.models import Design

    holders = marks.valid_holdings().values("user_id")
    storefronts = list(
        active_storefronts()
        .filter(pk__in=Participation.objects.filter(campaign=campaign, withdrawn_at=None).values("storefront_id"))
        .filter(operator_id__in=holders)
        .order_by("name")
    )
    found = []
    for storefront in storefronts:
        until = marks.marks_until(storefront=storefront)
        designs = list(Design.objects.filter(pk__in=until).order_by("name").only("name", "slug"))
        found.append((storefront, designs, min((moment for moment in until.values() if moment), default=None)))
    return found


# --- operators ----------------------------------------------------------------------------------------------------


def open_membership(storefront: Storefront) -> PoolMembership | None:
    return PoolMembership.objects.filter(storefront=storefront, left_at=None).first()


def memberships(storefront: Storefront) -> QuerySet:
    return PoolMembership.objects.filter(storefront=storefront)


def proposals(storefront: Storefront) -> QuerySet:
    """The campaigns this storefront proposed, newest first."""
    return Campaign.objects.filter(proposed_by=storefront).order_by("-proposed_at", "-pk")


def taking_part(storefront: Storefront) -> QuerySet:
    """Approved (or finished) campaigns the storefront takes part in."""
    return (
        Campaign.objects.filter(status__in=Campaign.PUBLIC, participations__storefront=storefront,
                                participations__withdrawn_at=None)
        .order_by("-starts_on", "-pk")
    )  # fmt: skip


def operator_campaign(storefront: Storefront, pk) -> Campaign:
    """A campaign the storefront proposed, took part in, or (as a pool member) may take part in; another's proposal
    is the same 404 as a missing one."""
    mine = Q(proposed_by=storefront) | Q(status__in=Campaign.PUBLIC, participations__storefront=storefront)
    if open_membership(storefront) is not None:
        mine |= Q(status=Campaign.APPROVED)
    return get_object_or_404(Campaign.objects.filter(mine).distinct(), pk=pk)


def takes_part(campaign: Campaign, storefront: Storefront) -> bool:
    return Participation.objects.filter(campaign=campaign, storefront=storefront, withdrawn_at=None).exists()


def open_to_join(storefront: Storefront) -> QuerySet:
    """Approved campaigns not yet over that the storefront does not take part in (it stepped out, say)."""
    taking = Participation.objects.filter(storefront=storefront, withdrawn_at=None).values("campaign_id")
    return (Campaign.objects.filter(status=Campaign.APPROVED, ends_on__gte=timezone.localdate())
            .exclude(pk__in=taking).order_by("starts_on", "pk"))  # fmt: skip


def returns(campaign: Campaign, storefront: Storefront | None = None) -> Returns:
    """The campaign's spend so far and the orders and revenue credited to it across the pool (the lines of the
    storefronts taking part, in paid orders); with ``storefront``, also that storefront's own orders and
    revenue from them. Never another storefront's figures."""
    spent = campaign.spendings.aggregate(total=Sum("amount"))["total"] or ZERO
    orders = Order.objects.filter(campaign_attribution__campaign=campaign, status__in=PAID)
    partners = Participation.objects.filter(campaign=campaign).values("storefront__partner_id")
    lines = Line.objects.filter(order__in=orders, partner_id__in=partners)
    pool = lines.aggregate(revenue=Sum("line_price_incl_tax"))
    figures = {"spent": cents(spent), "budget": campaign.budget, "orders": orders.count(),
               "revenue": cents(pool["revenue"] or ZERO)}  # fmt: skip
    if storefront is not None:
        own = lines.filter(partner_id=storefront.partner_id).aggregate(
            revenue=Sum("line_price_incl_tax"), orders=Count("order", distinct=True)
        )
        figures |= {"own_orders": own["orders"], "own_revenue": cents(own["revenue"] or ZERO)}
    return Returns(**figures)


# --- staff -----------------------------------------------------------------------------------------------------------


def pending_proposals() -> QuerySet:
    return Campaign.objects.filter(status=Campaign.PROPOSED).select_related("proposed_by").order_by("proposed_at")


def decided_campaigns() -> QuerySet:
    return (
        Campaign.objects.exclude(status=Campaign.PROPOSED)
        .select_related("proposed_by", "decided_by")
        .annotate(spent=Sum("spendings__amount"))
        .order_by("-starts_on", "-pk")
    )


def staff_campaign(pk) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("proposed_by", "decided_by"), pk=pk)


def pool_balance() -> Decimal:
    return balance(shared_account(Account.MARKETING_POOL))


def pool_members() -> QuerySet:
    return PoolMembership.objects.filter(left_at=None).select_related("storefront").order_by("storefront__name")
