"""A supporter's paid month split by the ledger like a line, and money spent out of the shared funds: never more than
a fund holds, once per reference."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketplace.money import OtherCurrency
from marketplace.revenue import funds
from marketplace.revenue.models import Account, JournalEntry
from marketplace.revenue.selectors import balance
from marketplace.revenue.services import shared_account
from marketplace.revenue.verification import verify
from tests import factories

pytestmark = pytest.mark.django_db


def _shares(entry) -> dict[str, Decimal]:
    return {posting.account.kind: posting.amount for posting in entry.postings.select_related("account")}


def _month(store, *, reference="support:1", amount="10.00", card=False):
    return funds.allocate_support_payment(
        reference=reference, partner_id=store.partner_id, amount=Decimal(amount), currency="USD", card=card,
        value_date=timezone.now(), memo=f"True Fans: {store.name}",
    )  # fmt: skip


def test_a_month_by_bank_goes_to_the_campus_fund_the_pool_and_the_operator():
    store = factories.storefront()
    store.campus_fund_percent = Decimal("10.00")
    store.save()
    entry = _month(store, amount="30.00")
    # 10 % to the campus fund, 5 % (the default policy) to the pool, no royalty (no design), the rest to the operator
    assert _shares(entry) == {
        Account.CLEARING: Decimal("-30.00"), Account.CAMPUS_FUND: Decimal("3.00"),
        Account.MARKETING_POOL: Decimal("1.50"), Account.OPERATOR: Decimal("25.50"),
    }  # fmt: skip
    assert entry.kind == JournalEntry.ALLOCATION and entry.order is None
    assert not verify().problems


def test_a_month_by_card_pays_the_card_fee_first():
    store = factories.storefront()
    entry = _month(store, card=True)
    shares = _shares(entry)
    assert shares[Account.PAYMENT_FEES] == Decimal("0.59")  # 2.9 % of 10.00 rounded, plus 0.30
    assert sum(shares.values()) == 0
    assert shares[Account.CAMPUS_FUND] + shares[Account.MARKETING_POOL] + shares[Account.OPERATOR] == Decimal("9.41")


def test_a_month_is_booked_once():
    store = factories.storefront()
    assert _month(store) is not None
    assert _month(store) is None
    assert JournalEntry.objects.filter(reference="support:1").count() == 1


def test_a_month_in_another_currency_is_refused():
    store = factories.storefront()
    with pytest.raises(OtherCurrency):
        funds.allocate_support_payment(reference="support:2", partner_id=store.partner_id, amount=Decimal("10"),
                                       currency="EUR", card=False, value_date=timezone.now(), memo="x")  # fmt: skip


def test_spending_never_overdraws_a_fund_and_books_once():
    store = factories.storefront()
    _month(store, amount="100.00")  # 5.00 to the campus fund, 5.00 to the pool
    fund = shared_account(Account.CAMPUS_FUND)
    with pytest.raises(ValidationError, match="holds 5.00"):
        funds.spend_from_fund(fund=Account.CAMPUS_FUND, amount=Decimal("5.01"), reference="disbursement:1", memo="x")
    for bad in ("0", "-1"):
        with pytest.raises(ValidationError):
            funds.spend_from_fund(fund=Account.CAMPUS_FUND, amount=Decimal(bad), reference="disbursement:1", memo="x")
    first = funds.spend_from_fund(fund=Account.CAMPUS_FUND, amount=Decimal("4.00"), reference="disbursement:1",
                                  memo="Seed eco-home install")  # fmt: skip
    again = funds.spend_from_fund(fund=Account.CAMPUS_FUND, amount=Decimal("4.00"), reference="disbursement:1",
                                  memo="Seed eco-home install")  # fmt: skip
    assert first == again and first.kind == JournalEntry.SPENDING
    assert balance(fund) == Decimal("1.00")
    assert not verify().problems
