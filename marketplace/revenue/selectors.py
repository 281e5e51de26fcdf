"""Reads for the ledger: balances come from postings, always."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from marketplace.money import cents
from marketplace.money.policy import current_policy
from marketplace.revenue.charts import months_between
from marketplace.revenue.models import (
    Account,
    AllocationPolicy,
    Disbursement,
    FundProject,
    JournalEntry,
    Payout,
    Posting,
)

ZERO = Decimal("0.00")


def balance(account: Account) -> Decimal:
    return cents(account.postings.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"])


def accounts_with_balances() -> QuerySet:
    return Account.objects.annotate(balance=Coalesce(Sum("postings__amount"), ZERO))


def ledger_total() -> Decimal:
    """Zero, always: every entry balances."""
    return cents(Posting.objects.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"])


def unbalanced_entries() -> QuerySet:
    half_cent = Decimal("0.005")  # exact on PostgreSQL; SQLite's float sums need the tolerance
    return JournalEntry.objects.annotate(total=Coalesce(Sum("postings__amount"), ZERO)).filter(
        Q(total__gte=half_cent) | Q(total__lte=-half_cent)
    )


def postings_for(account: Account) -> QuerySet:
    return account.postings.select_related("entry", "entry__order", "design").order_by("-entry__value_date", "-pk")


def payouts_for(account: Account) -> QuerySet:
    return Payout.objects.filter(account=account).order_by("-date_created", "-pk")


def _received(kind) -> QuerySet:
    """The postings that brought money into a fund (allocations, and refunds taking their share back out): every
    one but its spending."""
    return Posting.objects.filter(account__kind=kind).exclude(entry__kind=JournalEntry.SPENDING)


def fund_by_month(kind: str) -> list[dict]:
    """A fund's money in by month (``money_in``) and its net after refunds (``total``); spending is not in it."""
    return list(
        _received(kind)
        .annotate(month=TruncMonth("entry__value_date"))
        .values("month")
        .annotate(total=Sum("amount"), money_in=Coalesce(Sum("amount", filter=Q(amount__gt=0)), ZERO))
        .order_by("month")
    )


def fund_by_storefront(kind: str) -> list[dict]:
    return list(
        _received(kind)
        .values("partner__name", "partner__storefront__slug")
        .annotate(total=Sum("amount"))
        .order_by("-total", "partner__name")
    )


def fund_by_design(kind: str) -> list[dict]:
    return list(
        _received(kind)
        .filter(design__isnull=False)
        .values("design__name", "design__slug")
        .annotate(total=Sum("amount"))
        .order_by("-total", "design__name")
    )


def fund_total(kind: str) -> Decimal:
    return cents(Posting.objects.filter(account__kind=kind).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"])


# --- pages: the public campus fund, an operator's or contributor's own ledger, the staff overview -----------------

FUNDS = (Account.CAMPUS_FUND, Account.MARKETING_POOL)


def _fund_sum(kind: str):
    return Coalesce(Sum("amount", filter=Q(account__kind=kind)), ZERO)


def fund_report() -> dict:
    """What the public campus fund page shows: both funds' balances, money in by month, and where it came from (by
    storefront, by design; postings without a design are grouped as one row, so every table adds up to the money
    in). Where it went is ``fund_flows``."""
    funds = Posting.objects.filter(account__kind__in=FUNDS)
    received = funds.exclude(entry__kind=JournalEntry.SPENDING)  # where the money came from; spending is shown apart
    sums = {kind: _fund_sum(kind) for kind in FUNDS}
    return {
        "totals": funds.aggregate(**sums),
        "by_month": {kind: fund_by_month(kind) for kind in FUNDS},
        "by_storefront": list(
            received.values(
                "partner__name", "partner__storefront__name", "partner__storefront__slug", "partner__storefront__status"
            )
            .annotate(**sums)
            .order_by(f"-{Account.CAMPUS_FUND}", "partner__name")
        ),  # fmt: skip
        "by_design": list(
            received.values("design__name", "design__slug")
            .annotate(**sums)
            .order_by(f"-{Account.CAMPUS_FUND}", "design__name")
        ),
    }


def fund_postings() -> QuerySet:
    """Every posting to the public funds, oldest first, as plain values for the CSV export: the order's number
    leaves the ledger, nothing about the shopper does; money out (negative) names its project, or the entry's memo."""
    return (
        Posting.objects.filter(account__kind__in=FUNDS)
        .order_by("entry__value_date", "pk")
        .values_list("entry__value_date", "account__kind", "amount", "partner__storefront__name", "partner__name",
                     "design__name", "entry__order__number", "entry__kind", "entry__disbursement__project__name",
                     "entry__memo")
    )  # fmt: skip


def storefront_account(user) -> tuple:
    """The user's own storefront and its ledger account (None before the first sale): the only way an operator's
    page reaches the ledger, so no request can name another operator's account."""
    from marketplace.storefronts.models import Storefront

    storefront = Storefront.objects.select_related("partner").filter(operator_id=user.pk).first()
    if storefront is None or storefront.partner_id is None:
        return storefront, None
    return storefront, Account.objects.filter(kind=Account.OPERATOR, partner_id=storefront.partner_id).first()


def royalty_account_for(user) -> Account | None:
    return Account.objects.filter(kind=Account.CONTRIBUTOR, user_id=user.pk).first()


def ledger_postings(account: Account) -> QuerySet:
    """An account's postings, newest first, with what the ledger page shows of each: the order's number, the line's
    title (the entry's memo and amount cover the whole order, which may hold other operators' lines: the page leaves
    them out)."""
    return account.postings.select_related("entry", "entry__order", "line").order_by("-entry__value_date", "-pk")


def ledger_summary(account: Account | None) -> dict:
    """Balance, and what made it: sales allocated, refunds reversed, payouts and corrections."""
    kinds = (JournalEntry.ALLOCATION, JournalEntry.REFUND, JournalEntry.PAYOUT, JournalEntry.CORRECTION)
    if account is None:
        return {"balance": ZERO, **dict.fromkeys(kinds, ZERO)}
    return account.postings.aggregate(
        balance=Coalesce(Sum("amount"), ZERO),
        **{kind: Coalesce(Sum("amount", filter=Q(entry__kind=kind)), ZERO) for kind in kinds},
    )


def accounts_overview() -> QuerySet:
    return (
        Account.objects.select_related("partner__storefront", "user")
        .annotate(balance=Coalesce(Sum("postings__amount"), ZERO))
        .order_by("kind", "name")
    )


def pending_manual_payouts() -> QuerySet:
    return (
        Payout.objects.filter(status=Payout.PENDING, method=Payout.MANUAL)
        .select_related("account__partner__storefront", "account__user")
        .order_by("date_created", "pk")
    )


def recent_payouts(limit: int = 20) -> QuerySet:
    return Payout.objects.select_related("account", "settled_by").order_by("-date_created", "-pk")[:limit]


def policy_history(limit: int = 20) -> QuerySet:
    return AllocationPolicy.objects.select_related("created_by").order_by("-date_created", "-pk")[:limit]


def next_payout(account: Account | None, *, balance: Decimal) -> dict:
    """What the nightly payout run (03:00, ``run-payouts``) will do for this account: pay the whole balance once it
    reaches the policy's threshold, by Stripe to a connected account that can receive transfers, else by hand to the
    bank details given."""
    from marketplace.payments import stripe_gateway

    threshold = current_policy().payout_threshold
    by_stripe = bool(account and account.paid_by_stripe and stripe_gateway.is_configured())
    return {
        "threshold": threshold,
        "due": balance >= threshold and balance > 0,
        "amount": balance,
        "method": "stripe" if by_stripe else "manual",
        "needs_details": not by_stripe and not (account and account.payout_details),
    }


def statement_rows(account: Account):
    """An account's postings, oldest first, as its statement lists them: date, what, order, item, amount."""
    return (
        account.postings.select_related("entry", "entry__order", "line")
        .order_by("entry__value_date", "pk")
        .values_list("entry__value_date", "entry__kind", "entry__order__number", "line__title", "amount")
    )


# --- where the funds go: money in and out of each fund, month by month; the campus fund's projects --------------


@dataclass(frozen=True)
class FundMonth:
    month: date
    money_in: Decimal  # what the fund received: allocations less refunds (and any correction)
    money_out: Decimal  # what it spent, as a positive amount
    balance: Decimal  # the fund's balance at the month's end
    spent_on: tuple[tuple[str, str, Decimal], ...]  # (project or memo, the project's slug or "", amount out)


def _spent_on_by_month(kind: str) -> dict[date, dict[tuple[str, str], Decimal]]:
    """Each month's spending, by the project it went to (a disbursement's) or else by the entry's memo (a
    campaign's, or spending booked outside a disbursement)."""
    rows = (
        Posting.objects.filter(account__kind=kind, entry__kind=JournalEntry.SPENDING)
        .annotate(month=TruncMonth("entry__value_date"))
        .values("month", "entry__disbursement__project__name", "entry__disbursement__project__slug", "entry__memo")
        .annotate(total=Sum("amount"))
    )
    found: dict[date, dict[tuple[str, str], Decimal]] = {}
    for row in rows:
        project = row["entry__disbursement__project__name"]
        key = (project, row["entry__disbursement__project__slug"]) if project else (row["entry__memo"] or "", "")
        spent = found.setdefault(_month_of(row["month"]), {})
        spent[key] = spent.get(key, ZERO) - cents(row["total"])
    return found


def _month_of(value) -> date:
    return (value.date() if isinstance(value, datetime) else value).replace(day=1)


def fund_flows(kind: str, *, until: date | None = None) -> list[FundMonth]:
    """A fund's money in and out and its balance at each month's end, oldest first, from its first month with money
    to ``until``'s (months without money included); read from the postings, so the last balance is the account's."""
    rows = (
        Posting.objects.filter(account__kind=kind)
        .annotate(month=TruncMonth("entry__value_date"))
        .values("month")
        .annotate(
            money_in=Coalesce(Sum("amount", filter=~Q(entry__kind=JournalEntry.SPENDING)), ZERO),
            money_out=Coalesce(Sum("amount", filter=Q(entry__kind=JournalEntry.SPENDING)), ZERO),
        )
        .order_by("month")
    )
    found = {_month_of(row["month"]): (cents(row["money_in"]), -cents(row["money_out"])) for row in rows}
    if not found:
        return []
    spent_on = _spent_on_by_month(kind)
    last = max([*found, _month_of(until)] if until else found)
    months, running = [], ZERO
    for month in months_between(min(found), last):
        money_in, money_out = found.get(month, (ZERO, ZERO))
        running += money_in - money_out
        spent = sorted(((name, slug, amount) for (name, slug), amount in spent_on.get(month, {}).items()),
                       key=lambda item: (-item[2], item[0]))  # fmt: skip
        months.append(FundMonth(month, money_in, money_out, running, tuple(spent)))
    return months


def fund_spending(kind: str, limit: int = 100) -> QuerySet:
    """A fund's spending entries, newest first: date, memo, amount (positive), and the project of a disbursement."""
    return (
        JournalEntry.objects.filter(kind=JournalEntry.SPENDING, postings__account__kind=kind)
        .select_related("disbursement__project")
        .order_by("-value_date", "-pk")[:limit]
    )


def fund_projects() -> QuerySet:
    """Every project the campus fund paid or will pay, with its total out, disbursements and the latest one."""
    booked = Q(disbursements__entry__isnull=False)
    return FundProject.objects.annotate(
        total=Coalesce(Sum("disbursements__amount", filter=booked), ZERO),
        paid=Count("disbursements", filter=booked),
        last_paid=Max("disbursements__value_date", filter=booked),
    ).order_by("-total", "name")


def project_disbursements(project: FundProject) -> QuerySet:
    return project.disbursements.filter(entry__isnull=False).order_by("-value_date", "-pk")


def project_by_month(project: FundProject) -> list[dict]:
    """A project's disbursements by month (``month``, ``money_in`` as the money it received, ``total``): the shape
    ``charts.monthly`` merges."""
    return list(
        project_disbursements(project)
        .annotate(month=TruncMonth("value_date"))
        .values("month")
        .annotate(money_in=Sum("amount"), total=Sum("amount"))
        .order_by("month")
    )


def public_receipt(*, slug: str, pk: int, staff: bool) -> Disbursement | None:
    """The disbursement whose receipt may be served: one that exists and was booked, of that project, and whose
    receipt staff made public (staff see every one). None for anything else, so a guessed path is a 404."""
    found = Disbursement.objects.filter(pk=pk, project__slug=slug, entry__isnull=False).exclude(receipt="")
    return (found if staff else found.filter(receipt_public=True)).first()
