"""Money into the ledger that is not an order's payment (a supporter's paid month) and money out of the shared funds
(a campus-fund disbursement, a marketing campaign's spending). Both are booked once per reference, like every entry
(``services.book``)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.money import cents, require_shop_currency
from marketplace.money.policy import current_policy
from marketplace.revenue import calculations
from marketplace.revenue.calculations import Item
from marketplace.revenue.models import Account, JournalEntry, Posting
from marketplace.revenue.selectors import balance
from marketplace.revenue.services import _accounts, book, shared_account

Partner = get_model("partner", "Partner")

SPENDABLE = (Account.CAMPUS_FUND, Account.MARKETING_POOL)


def allocate_support_payment(
    *, reference: str, partner_id: int, amount: Decimal, currency: str, card: bool, value_date, memo: str
) -> JournalEntry | None:
    """Split a supporter's paid month as a line with no design is split (see ``calculations``): the card fee when a
    card paid it, the storefront's campus-fund share, the marketing pool, the rest to the operator. ``reference``
    names the month (``support:<id>``); None when it is booked already."""
    if not reference.startswith("support:"):
        raise ValueError("a supporter's month is booked as support:<id>")
    require_shop_currency(currency, what=memo)  # the ledger keeps one currency
    amount = cents(amount)
    if amount <= 0:
        raise ValidationError("A supporter's month is a positive amount.")
    if JournalEntry.objects.filter(reference=reference).exists():
        return None
    policy = current_policy()
    share = Partner.objects.filter(pk=partner_id).values_list("storefront__campus_fund_percent", flat=True).get()
    minimum = policy.campus_fund_minimum_percent
    item = Item(partner_id=partner_id, gross=amount, campus_percent=minimum if share is None else max(share, minimum))
    fee = calculations.card_fee(payment=amount, percent=policy.card_fee_percent, fixed=policy.card_fee_fixed)
    shares = calculations.split_payment(
        payment=amount, items=[item], fee=fee if card else Decimal("0.00"),
        marketing_percent=policy.marketing_percent, royalty_percent=policy.royalty_percent,
    )  # fmt: skip
    accounts = _accounts(shares)
    postings = [Posting(account=accounts[Account.CLEARING, None], amount=-amount)] + [
        Posting(account=accounts[share.kind, share.owner_id], amount=share.amount, partner_id=partner_id)
        for share in shares
    ]
    return book(reference=reference, kind=JournalEntry.ALLOCATION, amount=amount, postings=postings,
                policy=policy if policy.pk else None, value_date=value_date, memo=memo[:255])  # fmt: skip


@transaction.atomic
def spend_from_fund(*, fund: str, amount: Decimal, reference: str, memo: str, value_date=None) -> JournalEntry:
    """Money out of the campus fund or the marketing pool, never more than it holds (read under the fund's row lock,
    so two spendings at once cannot overdraw it). Booking the same reference again returns the entry booked."""
    if fund not in SPENDABLE:
        raise ValueError(f"only {', '.join(SPENDABLE)} are spent from")
    amount = cents(amount)
    if amount <= 0:
        raise ValidationError("The amount spent must be more than 0.")
    account = Account.objects.select_for_update().get(pk=shared_account(fund).pk)
    booked = JournalEntry.objects.filter(reference=reference).first()
    if booked is not None:
        return booked
    available = balance(account)
    if amount > available:
        raise ValidationError(f"The {account.name} holds {available}; it cannot spend {amount}.")
    return book(
        reference=reference, kind=JournalEntry.SPENDING, amount=amount, memo=memo[:255],
        value_date=value_date or timezone.now(),
        postings=[Posting(account=account, amount=-amount),
                  Posting(account=shared_account(Account.CLEARING), amount=amount)],
    )  # fmt: skip
