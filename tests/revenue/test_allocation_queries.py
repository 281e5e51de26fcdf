"""Allocating a payment makes as few queries for an order of many lines, from several operators with certified
designs, as for an order of one line: a worker allocates a busy shop's payments one task each (issue 10)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue import selectors, services
from marketplace.revenue.models import Account, JournalEntry
from tests import factories

pytestmark = pytest.mark.django_db
# the payment (with its order, and whether it was booked or paid by card), the policy, the lines, their designs'
# mark holders, the shipping charges, the accounts; then the entry and its postings, in their own transaction (a
# savepoint inside the test's)
QUERIES = 10


def _paid(order, staff):
    """The payment confirmed; its allocation task waits for a commit that never comes inside a test."""
    confirm_offline_payment(order_id=order.pk, actor=staff)
    return order.payment_events.get(event_type__code="paid")


def _offer(store, design, level: int, price: str):
    product = factories.level_product(design, level)
    product.stockrecords.all().delete()
    return factories.offer(store, product, price=price, stock=100)


def test_allocating_an_order_of_many_lines_takes_no_more_queries_than_one_line(
    shop, place_order, staff, django_assert_max_num_queries
):
    # given operators and mark holders whose accounts an earlier sale opened, a one-line order, and an order of six
    # lines from three operators: two lines of the certified printer (two mark holders), the others uncertified
    offers, stores = shop["offers"], shop["stores"]
    printer, mill, press = shop["designs"]
    services.allocate_payment(payment_event_id=_paid(place_order(dict.fromkeys(offers.values(), 1)), staff).pk)
    more = {
        _offer(stores["berlin"], printer, 2, "300.00"): 2,
        _offer(stores["lyon"], mill, 2, "150.00"): 1,
        _offer(stores["nairobi"], press, 2, "80.00"): 3,
    }
    one = _paid(place_order({offers["lyon-mill"]: 1}), staff)
    many = _paid(place_order(dict.fromkeys(offers.values(), 1) | more), staff)

    # when each is allocated
    with CaptureQueriesContext(connection) as for_one:
        services.allocate_payment(payment_event_id=one.pk)
    with django_assert_max_num_queries(QUERIES) as for_many:
        services.allocate_payment(payment_event_id=many.pk)

    # then both took the same queries, and the six lines were split to the cent, royalties to both mark holders
    assert len(for_many) == len(for_one)
    entry = JournalEntry.objects.get(reference=f"payment:{many.pk}")
    postings = entry.postings.exclude(account__kind=Account.CLEARING)
    assert entry.amount == many.amount == Decimal("3710.50")  # 3690.00 of lines and 20.50 of shipping
    assert sum(posting.amount for posting in postings) == many.amount
    assert postings.values("line").exclude(line=None).distinct().count() == 6
    royalties = postings.filter(account__kind=Account.CONTRIBUTOR)
    assert sorted((posting.account.user_id, posting.amount) for posting in royalties) == sorted(
        (holder.pk, amount) for holder in shop["holders"] for amount in (Decimal("13.50"), Decimal("9.00"))
    )  # 3% of 900.00 and of 600.00, halved between the two mark holders
    assert selectors.ledger_total() == 0


def test_the_first_sale_opens_the_accounts_it_pays_and_the_next_sale_pays_the_same_ones(shop, place_order, staff):
    for _ in range(2):
        order = place_order(dict.fromkeys(shop["offers"].values(), 1))
        services.allocate_payment(payment_event_id=_paid(order, staff).pk)

    operators = Account.objects.filter(kind=Account.OPERATOR)
    contributors = Account.objects.filter(kind=Account.CONTRIBUTOR)
    assert sorted(operators.values_list("name", flat=True)) == ["Berlin Fab", "Lyon Fab", "Nairobi Fab"]
    assert set(contributors.values_list("user_id", flat=True)) == {holder.pk for holder in shop["holders"]}
    owned = set(operators.values_list("pk", flat=True)) | set(contributors.values_list("pk", flat=True))
    for entry in JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION):
        paid = entry.postings.filter(account__kind__in=(Account.OPERATOR, Account.CONTRIBUTOR))
        assert set(paid.values_list("account_id", flat=True)) == owned
