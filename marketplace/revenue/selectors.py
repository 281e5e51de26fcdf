"""Reads for the ledger: balances come from postings, always."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from marketplace.revenue.models import Account, AllocationPolicy, JournalEntry, Payout, Posting

ZERO = Decimal("0.00")


def current_policy() -> AllocationPolicy:
    policy = AllocationPolicy.objects.order_by("-date_created", "-pk").first()
    if policy is None:  # the shop's defaults until staff set a policy
        policy = AllocationPolicy(
            campus_fund_minimum_percent=Decimal(str(settings.CAMPUS_FUND_MINIMUM_PERCENT)),
            marketing_percent=Decimal("5.00"), royalty_percent=Decimal("3.00"),
            card_fee_percent=Decimal("2.90"), card_fee_fixed=Decimal("0.30"), payout_threshold=Decimal("25.00"),
        )  # fmt: skip
    return policy


def balance(account: Account) -> Decimal:
    return account.postings.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]


def accounts_with_balances() -> QuerySet:
    return Account.objects.annotate(balance=Coalesce(Sum("postings__amount"), ZERO))


def ledger_total() -> Decimal:
    """Zero, always: every entry balances."""
    return Posting.objects.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]


def unbalanced_entries() -> QuerySet:
    return JournalEntry.objects.annotate(total=Coalesce(Sum("postings__amount"), ZERO)).exclude(total=0)


def postings_for(account: Account) -> QuerySet:
    return account.postings.select_related("entry", "entry__order", "design").order_by("-entry__date_created", "-pk")


def payouts_for(account: Account) -> QuerySet:
    return Payout.objects.filter(account=account).order_by("-date_created", "-pk")


def fund_by_month(kind: str) -> list[dict]:
    return list(
        Posting.objects.filter(account__kind=kind)
        .annotate(month=TruncMonth("entry__date_created"))
        .values("month")
        .annotate(total=Sum("amount"), money_in=Coalesce(Sum("amount", filter=Q(amount__gt=0)), ZERO))
        .order_by("month")
    )


def fund_by_storefront(kind: str) -> list[dict]:
    return list(
        Posting.objects.filter(account__kind=kind)
        .values("partner__name", "partner__storefront__slug")
        .annotate(total=Sum("amount"))
        .order_by("-total", "partner__name")
    )


def fund_by_design(kind: str) -> list[dict]:
    return list(
        Posting.objects.filter(account__kind=kind, design__isnull=False)
        .values("design__name", "design__slug")
        .annotate(total=Sum("amount"))
        .order_by("-total", "design__name")
    )


def fund_total(kind: str) -> Decimal:
    return Posting.objects.filter(account__kind=kind).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
