"""Allocation costs the same queries for an order of many lines, from several operators with certified designs, as
for an order of one line; and a worker allocates a batch of waiting payments with the same queries, the same
transaction and one commit, however many there are (issue 10: 500 orders a second with one worker)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue import calculations, selectors, services
from marketplace.revenue.models import Account, JournalEntry, PendingAllocation
from marketplace.revenue.tasks import allocate_missed_payments_task
from tests import factories

pytestmark = pytest.mark.django_db
# the waiting row locked, the payment (with its order, and whether it was booked or paid by card), the policy, the
# lines, their designs' mark holders, the shipping charges, the accounts; then the entry and its postings in a
# savepoint, and the waiting row removed; inside the test's transaction, savepoints for the whole
QUERIES = 14
# a batch: its waiting rows, the payments, the policy, lines, holders, shipping and accounts; the entries and their
# postings in a savepoint; the rows removed; and one more look that finds nothing left
BATCH_QUERIES = 19


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


def _orders(shop, place_order, staff, count: int):
    offers = list(shop["offers"].values())
    return [_paid(place_order({offers[number % 3]: 1 + number % 2, offers[(number + 1) % 3]: 1}), staff)
            for number in range(count)]  # fmt: skip


def test_a_worker_allocates_a_batch_of_waiting_payments_with_the_queries_of_one(
    shop, place_order, staff, django_assert_max_num_queries
):
    # given one paid order waiting for its allocation, then twelve more (the hand-off left each a waiting row)
    _paid(place_order(dict.fromkeys(shop["offers"].values(), 1)), staff)
    services.allocate_waiting_payments()  # the accounts a first sale opens
    one = _orders(shop, place_order, staff, 1)
    assert list(PendingAllocation.objects.values_list("pk", flat=True)) == [one[0].pk]
    with CaptureQueriesContext(connection) as for_one:
        assert services.allocate_waiting_payments() == 1
    twelve = _orders(shop, place_order, staff, 12)

    # when a worker allocates what waits
    with django_assert_max_num_queries(BATCH_QUERIES) as for_twelve:
        assert services.allocate_waiting_payments() == 12

    # then twelve took the queries one took, each payment was split to the cent, and nothing waits any more
    assert len(for_twelve) == len(for_one)
    for payment in one + twelve:
        entry = JournalEntry.objects.get(reference=f"payment:{payment.pk}")
        assert entry.amount == payment.amount and entry.order_id == payment.order_id
        assert sum(entry.postings.values_list("amount", flat=True)) == 0
        assert entry.postings.filter(amount__gt=0).count() >= 4  # operator(s), campus, marketing, royalties
    assert not PendingAllocation.objects.exists()
    assert selectors.ledger_total() == 0
    # and allocating them again books nothing
    assert services.allocate_waiting_payments() == 0
    assert services.allocate_payments([payment.pk for payment in twelve]) == 0
    assert JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION).count() == 14


def test_a_payment_that_fails_keeps_its_waiting_row_with_the_error_and_the_rest_of_its_batch_is_booked(
    shop, place_order, staff, monkeypatch
):
    # given three waiting payments, one of which trips over a fault when it is split
    payments = _orders(shop, place_order, staff, 3)
    bad = payments[1]
    split_payment = calculations.split_payment

    def faulty(*, payment, **kwargs):
        if payment == bad.amount and kwargs["items"][0].line_id in set(bad.order.lines.values_list("pk", flat=True)):
            raise ArithmeticError("a fault in the split")
        return split_payment(payment=payment, **kwargs)

    monkeypatch.setattr(calculations, "split_payment", faulty)

    # when a worker allocates what waits
    assert services.allocate_waiting_payments() == 2

    # then the other two are booked, and the failed one waits with its error (staff see it in the admin); the next
    # batches leave it alone
    assert set(JournalEntry.objects.values_list("reference", flat=True)) == {
        f"payment:{payments[0].pk}",
        f"payment:{payments[2].pk}",
    }
    failed = PendingAllocation.objects.get()
    assert failed.pk == bad.pk and failed.attempts == 1 and "a fault in the split" in failed.error
    assert services.allocate_waiting_payments() == 0

    # and once the fault is fixed, the sweep books it
    monkeypatch.setattr(calculations, "split_payment", split_payment)
    assert allocate_missed_payments_task.delay().get() == 1
    assert JournalEntry.objects.filter(reference=f"payment:{bad.pk}").exists()
    assert not PendingAllocation.objects.exists() and selectors.ledger_total() == 0


def test_one_call_books_a_bounded_number_of_batches_and_the_next_call_goes_on(shop, place_order, staff):
    # given five waiting payments
    payments = _orders(shop, place_order, staff, 5)

    # when a task may book one batch of two
    assert services.allocate_waiting_payments(batch=2, max_batches=1) == 2

    # then three still wait, in order, and the next calls book them, each once
    assert list(PendingAllocation.objects.values_list("pk", flat=True)) == [payment.pk for payment in payments[2:]]
    assert services.allocate_waiting_payments(batch=2, max_batches=1) == 2
    assert services.allocate_waiting_payments(batch=2) == 1
    assert JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION).count() == 5
    assert not PendingAllocation.objects.exists() and selectors.ledger_total() == 0
