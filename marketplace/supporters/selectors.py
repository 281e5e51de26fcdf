"""True Fans reads: who offers plans, a supporter's own plans, an operator's own supporters and their counts (in $10
units and monthly recurring revenue), the staff's totals and the standing orders to watch."""

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from marketplace.money import cents
from marketplace.revenue import charts
from marketplace.storefronts.models import Storefront
from marketplace.supporters.models import UNIT, Support, SupportMonth, TrueFansOffer

# plans that count as supporters: paying, or paid and running to the end of their month
COUNTED = (Support.ACTIVE, Support.PAST_DUE, Support.ENDING)


def offering_storefronts():
    """Active storefronts that opted in and whose tier allows True Fans (``tiers.rules.true_fans_refusal``: a tier
    that sells level 1)."""
    return (
        Storefront.objects.filter(status=Storefront.ACTIVE, true_fans_offer__enabled=True, tier__sells_level_1=True)
        .select_related("true_fans_offer", "tier")
        .order_by("name")
    )


def offers_true_fans(storefront) -> bool:
    return offering_storefronts().filter(pk=storefront.pk).exists()


def offer_of(storefront) -> TrueFansOffer:
    """The storefront's offer, or an unsaved one that is off."""
    return TrueFansOffer.objects.filter(storefront=storefront).first() or TrueFansOffer(storefront=storefront)


def bank_details() -> dict:
    """The shop's account a standing order pays into: the same as the bank-transfer checkout shows."""
    return {"holder": settings.BANK_TRANSFER_HOLDER, "iban": settings.BANK_TRANSFER_IBAN,
            "bic": settings.BANK_TRANSFER_BIC}  # fmt: skip


def supports_of(user):
    """The signed-in supporter's own plans, newest first, with their months paid (count and total)."""
    return (
        Support.objects.filter(user=user)
        .select_related("storefront")
        .annotate(months_paid=Count("months"), total_paid=Sum("months__amount"))
        .order_by("-date_created")
    )


def display_name(user) -> str:
    """A supporter as other people see them: first name and initial, never an e-mail address."""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if not first:
        return "A supporter"
    return f"{first} {last[:1]}." if last else first


def counts(supports) -> dict:
    """Supporters, True Fansships ($10 units) and monthly recurring revenue of the plans counted (``COUNTED``)."""
    counted = supports.filter(status__in=COUNTED)
    totals = counted.aggregate(supporters=Count("user", distinct=True), mrr=Sum("amount"))
    mrr = cents(totals["mrr"])
    return {"supporters": totals["supporters"], "units": int(mrr // UNIT), "mrr": mrr}


def storefront_report(storefront) -> dict:
    """An operator's own supporters: the counts, the months paid, the last 12 months as a chart, and the list."""
    supports = Support.objects.filter(storefront=storefront)
    months = SupportMonth.objects.filter(support__storefront=storefront)
    paid = months.aggregate(count=Count("id"), total=Sum("amount"))
    by_month = list(
        months.annotate(month=TruncMonth("period_start"))
        .values("month")
        .annotate(money_in=Sum("amount"), total=Sum("amount"))
        .order_by("month")
    )
    monthly = charts.monthly([by_month], until=timezone.localdate())
    return {
        **counts(supports),
        "months_paid": paid["count"],
        "total_paid": cents(paid["total"]),
        "chart": charts.bar_chart(monthly, series=("Paid months",)) if monthly else None,
        "supporters_list": [
            {"name": display_name(plan.user), "plan": plan}
            for plan in supports.select_related("user").annotate(months_paid=Count("months")).order_by("-date_created")
        ],
    }


def staff_totals() -> tuple[list[dict], dict]:
    """Every storefront with True Fans plans or offering them: its counts (three grouped queries), and the shop's."""
    plans = {
        row["storefront_id"]: row
        for row in Support.objects.filter(status__in=COUNTED)
        .values("storefront_id")
        .annotate(supporters=Count("user", distinct=True), mrr=Sum("amount"))
    }
    paid = {
        row["support__storefront_id"]: row
        for row in SupportMonth.objects.values("support__storefront_id").annotate(
            count=Count("id"), total=Sum("amount")
        )
    }
    storefronts = Storefront.objects.filter(
        Q(pk__in=set(plans) | set(paid)) | Q(true_fans_offer__enabled=True)
    ).order_by("name")
    report = []
    for storefront in storefronts:
        plan, months = plans.get(storefront.pk, {}), paid.get(storefront.pk, {})
        mrr = cents(plan.get("mrr"))
        report.append({
            "storefront": storefront, "supporters": plan.get("supporters", 0), "units": int(mrr // UNIT), "mrr": mrr,
            "months_paid": months.get("count", 0), "total_paid": cents(months.get("total")),
        })  # fmt: skip
    everything = SupportMonth.objects.aggregate(count=Count("id"), total=Sum("amount"))
    totals = {**counts(Support.objects.all()), "months_paid": everything["count"],
              "total_paid": cents(everything["total"])}  # fmt: skip
    return report, totals


def standing_orders():
    """Running bank plans, the month each expects next first, for staff recording what arrived."""
    return (
        Support.objects.filter(method=Support.BANK)
        .exclude(status=Support.ENDED)
        .select_related("user", "storefront")
        .annotate(months_paid=Count("months"))
        .order_by("next_due_date", "pk")
    )


def missed_bank_months(*, on_or_before):
    """Running bank plans whose expected month was due on or before the date and has not been recorded."""
    return (
        Support.objects.filter(method=Support.BANK, status__in=(Support.PENDING, Support.ACTIVE, Support.PAST_DUE),
                               next_due_date__lte=on_or_before)
        .select_related("user", "storefront")
        .order_by("pk")
    )  # fmt: skip
