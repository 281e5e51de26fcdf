"""The ledger, through the real services: an order from several operators, paid by bank transfer, is allocated once
and to the cent; refunds reverse in proportion; payouts never pay more than a balance, nor twice."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from marketplace.money import cents
from marketplace.payments.models import Refund
from marketplace.revenue import payouts as paying
from marketplace.revenue import selectors, services
from marketplace.revenue.models import Account, JournalEntry, Payout, Posting
from marketplace.revenue.tasks import allocate_missed_payments_task, allocate_payment_task
from marketplace.storefronts.models import Storefront
from tests import factories
from tests.revenue.conftest import POLICY

PaymentEvent = get_model("order", "PaymentEvent")
ZERO = Decimal("0.00")
pytestmark = pytest.mark.django_db


def _three_operators(shop):
    offers = shop["offers"]
    return {offers["berlin-printer"]: 1, offers["lyon-mill"]: 1, offers["nairobi-press"]: 1}


def _operator(store) -> Account:
    return Account.objects.get(kind=Account.OPERATOR, partner=store.partner)


def _line(order, store):
    return order.lines.get(partner=store.partner)


def _who(account: Account) -> str:
    """Whose account it is: an operator's storefront, a contributor's email, or one of the shop's own."""
    if account.kind == Account.OPERATOR:
        return account.partner.name
    return account.user.email if account.kind == Account.CONTRIBUTOR else account.kind


def _by_account(postings) -> dict[str, Decimal]:
    totals = postings.values("account").annotate(total=Sum("amount"))
    return {_who(Account.objects.get(pk=row["account"])): cents(row["total"]) for row in totals}


def _sum(postings) -> Decimal:
    return cents(postings.aggregate(total=Sum("amount"))["total"])


def _net_by_account_of(line) -> set[Decimal]:
    totals = Posting.objects.filter(line=line).values("account").annotate(total=Sum("amount"))
    return {cents(row["total"]) for row in totals}


def test_an_order_from_three_operators_paid_by_bank_transfer_books_one_balanced_allocation(shop, place_order, pay):
    order = place_order(_three_operators(shop))

    payment = pay(order)

    entry = JournalEntry.objects.get(order=order)
    postings = entry.postings.all()
    assert (entry.reference, entry.kind) == (f"payment:{payment.pk}", JournalEntry.ALLOCATION)
    assert entry.amount == payment.amount == order.total_incl_tax == Decimal("2720.50")  # 2700.00 and 20.50 shipping
    assert _sum(postings) == 0
    assert _sum(postings.exclude(account__kind=Account.CLEARING)) == payment.amount
    assert list(postings.filter(account__kind=Account.CLEARING).values_list("amount", flat=True)) == [-payment.amount]
    assert not postings.exclude(account__kind=Account.CLEARING).filter(amount__lte=0).exists()
    assert not postings.filter(account__kind=Account.PAYMENT_FEES).exists()  # a bank transfer costs no card fee
    assert _by_account(postings) == {
        "clearing": Decimal("-2720.50"),
        "Berlin Fab": Decimal("795.50"),  # 900.00 - 5% campus - 5% marketing - 3% royalties, and 12.50 shipping
        "Lyon Fab": Decimal("1190.00"),  # 1400.00 - 10% campus - 5% marketing
        "Nairobi Fab": Decimal("358.00"),  # 400.00 - 7.5% campus - 5% marketing, and 8.00 shipping
        "campus_fund": Decimal("215.00"),
        "marketing_pool": Decimal("135.00"),
        "alice@example.com": Decimal("13.50"),  # 3% of the certified printer, halved between its mark holders
        "bob@example.com": Decimal("13.50"),
    }
    assert selectors.ledger_total() == 0
    assert not selectors.unbalanced_entries().exists()


def test_the_campus_fund_gets_each_storefronts_own_percentage_of_its_lines(shop, place_order, pay):
    stores = shop["stores"]
    order = place_order(_three_operators(shop))

    pay(order)

    campus = Posting.objects.filter(account__kind=Account.CAMPUS_FUND)
    for key, expected in (("berlin", "45.00"), ("lyon", "140.00"), ("nairobi", "30.00")):
        line = _line(order, stores[key])
        assert Decimal(expected) == line.line_price_incl_tax * stores[key].campus_fund_percent / 100
        assert [(posting.amount, posting.partner_id) for posting in campus.filter(line=line)] == [
            (Decimal(expected), stores[key].partner_id)
        ]
    assert not campus.filter(line__isnull=True).exists()  # a shipping charge is the operator's, whole
    assert {row["partner__name"]: row["total"] for row in selectors.fund_by_storefront(Account.CAMPUS_FUND)} == {
        "Lyon Fab": Decimal("140.00"), "Berlin Fab": Decimal("45.00"), "Nairobi Fab": Decimal("30.00"),
    }  # fmt: skip


def test_royalties_go_only_to_designs_with_a_valid_certificate_shared_by_its_mark_holders(shop, place_order, pay):
    printer, mill, press = shop["designs"]
    alice, bob = shop["holders"]
    revoked = factories.design(name="Tractor", category_name="Tractors")
    certificate = factories.certify(revoked, holders=[factories.UserFactory(email="dave@example.com")])
    certificate.revoked_at = certificate.issued_at
    certificate.save(update_fields=["revoked_at"])
    tractor = factories.level_product(revoked, 1)
    tractor.stockrecords.all().delete()
    offers = _three_operators(shop) | {factories.offer(shop["stores"]["lyon"], tractor, price="200.00"): 1}
    order = place_order(offers)

    pay(order)

    royalties = Posting.objects.filter(account__kind=Account.CONTRIBUTOR)
    assert sorted((posting.account.user_id, posting.design_id, posting.amount) for posting in royalties) == sorted(
        [(alice.pk, printer.pk, Decimal("13.50")), (bob.pk, printer.pk, Decimal("13.50"))]
    )  # 3% of 900.00, halved; nothing for the uncertified mill, the expired press or the revoked tractor
    assert not Account.objects.filter(kind=Account.CONTRIBUTOR).exclude(user__in=[alice, bob]).exists()


def test_allocating_the_same_payment_again_books_nothing_more(shop, place_order, pay):
    order = place_order(_three_operators(shop))
    payment = pay(order)  # allocated once by the task the payment enqueued
    postings = Posting.objects.count()

    assert services.allocate_payment(payment_event_id=payment.pk) is None
    allocate_payment_task.delay(payment_event_id=payment.pk)
    allocate_payment_task.delay(payment_event_id=payment.pk)
    services.allocate_order(order=order)

    assert allocate_missed_payments_task.delay().get() == 0
    assert services.unallocated_payment_ids() == []
    assert JournalEntry.objects.filter(reference=f"payment:{payment.pk}").count() == 1
    assert Posting.objects.count() == postings


def test_the_sweep_allocates_a_payment_whose_task_was_lost(shop, place_order, staff):
    from marketplace.payments.services import confirm_offline_payment

    order = place_order(_three_operators(shop))
    confirm_offline_payment(order_id=order.pk, actor=staff)  # its on-commit task never runs here
    payment = order.payment_events.get()
    assert services.unallocated_payment_ids() == [payment.pk]

    assert allocate_missed_payments_task.delay().get() == 1

    assert JournalEntry.objects.get(order=order).reference == f"payment:{payment.pk}"
    assert services.unallocated_payment_ids() == []


def test_a_partial_refund_of_one_operators_line_reverses_that_lines_postings_in_proportion(
    shop, place_order, pay, refund
):
    stores = shop["stores"]
    order = place_order(_three_operators(shop))
    pay(order)
    line = _line(order, stores["berlin"])
    allocated = Posting.objects.filter(entry__kind=JournalEntry.ALLOCATION, line=line)
    others = {key: selectors.balance(_operator(stores[key])) for key in ("lyon", "nairobi")}

    given_back = refund(order, stores["berlin"].partner, {line.pk: Decimal("300.00")})  # a third of the line

    entry = JournalEntry.objects.get(reference=f"refund:{given_back.pk}")
    reversal = entry.postings.exclude(account__kind=Account.CLEARING)
    assert (entry.kind, entry.amount) == (JournalEntry.REFUND, Decimal("300.00"))
    assert _sum(entry.postings.all()) == 0
    assert _sum(reversal) == Decimal("-300.00")
    assert set(reversal.values_list("line", flat=True)) == {line.pk}
    assert sorted((posting.account_id, posting.amount) for posting in reversal) == sorted(
        (posting.account_id, -posting.amount / 3) for posting in allocated
    )  # operator 261.00, campus fund 15.00, marketing 15.00, each mark holder 4.50
    assert {key: selectors.balance(_operator(stores[key])) for key in ("lyon", "nairobi")} == others
    assert selectors.balance(_operator(stores["berlin"])) == Decimal("795.50") - Decimal("261.00")
    assert selectors.ledger_total() == 0


def test_refunding_a_line_in_parts_gives_back_exactly_what_each_account_got_from_it(shop, place_order, pay, refund):
    stores = shop["stores"]
    order = place_order(_three_operators(shop))
    pay(order)
    line = _line(order, stores["berlin"])

    for amount in ("333.33", "333.33", "233.34"):
        refund(order, stores["berlin"].partner, {line.pk: Decimal(amount)})

    assert _net_by_account_of(line) == {ZERO}
    assert _sum(Posting.objects.filter(entry__kind=JournalEntry.REFUND).exclude(account__kind=Account.CLEARING)) == (
        Decimal("-900.00")
    )


def test_a_shipping_refund_comes_back_from_its_operator_only(shop, place_order, pay, refund):
    stores = shop["stores"]
    order = place_order(_three_operators(shop))
    pay(order)

    given_back = refund(order, stores["nairobi"].partner, {}, shipping_amount=Decimal("8.00"))

    reversal = JournalEntry.objects.get(reference=f"refund:{given_back.pk}").postings.exclude(
        account__kind=Account.CLEARING
    )
    assert [(posting.account, posting.amount, posting.line_id) for posting in reversal] == [
        (_operator(stores["nairobi"]), Decimal("-8.00"), None)
    ]


def test_an_operator_balance_goes_negative_only_through_a_refund_after_a_payout(shop, place_order, pay, refund):
    berlin = shop["stores"]["berlin"]
    printer = shop["offers"]["berlin-printer"]
    first = place_order({printer: 1})
    pay(first)

    # given back in full before any payout: the operator keeps its shipping charge, never less than nothing
    refund(first, berlin.partner, {_line(first, berlin).pk: Decimal("900.00")})
    assert selectors.balance(_operator(berlin)) == Decimal("12.50")

    second = place_order({printer: 1})
    pay(second)
    [payout] = [payout for payout in paying.run_payouts() if payout.account == _operator(berlin)]
    assert payout.amount == Decimal("808.00")
    assert selectors.balance(_operator(berlin)) == 0

    # the shopper returns part of the second printer after the money went out: the operator owes it
    refund(second, berlin.partner, {_line(second, berlin).pk: Decimal("300.00")})
    assert selectors.balance(_operator(berlin)) == Decimal("-261.00")
    assert not [payout for payout in paying.run_payouts() if payout.account == _operator(berlin)]
    assert selectors.ledger_total() == 0


def test_run_payouts_pays_each_balance_above_the_threshold_once_and_never_more_than_it(shop, place_order, pay):
    alice = shop["holders"][0]
    pay(place_order(_three_operators(shop)))
    before = {account: selectors.balance(account) for account in Account.objects.all()}

    payouts = paying.run_payouts()

    assert sorted((_who(payout.account), payout.amount) for payout in payouts) == [
        ("Berlin Fab", Decimal("795.50")), ("Lyon Fab", Decimal("1190.00")), ("Nairobi Fab", Decimal("358.00")),
    ]  # fmt: skip
    for payout in payouts:
        assert payout.amount == before[payout.account]
        assert (payout.status, payout.method, payout.currency) == (Payout.PENDING, Payout.MANUAL, "USD")
        assert selectors.balance(payout.account) == 0
        entry = JournalEntry.objects.get(reference=f"payout:{payout.pk}")
        assert _by_account(entry.postings.all()) == {_who(payout.account): -payout.amount, "clearing": payout.amount}
    # 13.50 of royalties is under the 25.00 threshold; the shop's own funds are never paid out
    assert selectors.balance(Account.objects.get(user=alice)) == Decimal("13.50")
    assert selectors.balance(Account.objects.get(kind=Account.CAMPUS_FUND)) == Decimal("215.00")

    assert paying.run_payouts() == []
    assert Payout.objects.count() == 3

    pay(place_order({shop["offers"]["berlin-printer"]: 1}))
    again = paying.run_payouts()
    assert sorted((_who(payout.account), payout.amount) for payout in again) == [
        ("Berlin Fab", Decimal("795.50")),
        ("alice@example.com", Decimal("27.00")),  # two printers' royalties together reach the threshold
        ("bob@example.com", Decimal("27.00")),
    ]
    assert selectors.ledger_total() == 0


# --- any orders, percentages, refunds and payouts -------------------------------------------------------------

OFFER_KEYS = ("berlin-printer", "lyon-mill", "nairobi-press")
STORE_KEYS = ("berlin", "lyon", "nairobi")


@st.composite
def scenarios(draw):
    percent = st.decimals(min_value=Decimal("5.00"), max_value=Decimal("40.00"), places=2)
    price = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("2000.00"), places=2)
    order = st.dictionaries(st.sampled_from(OFFER_KEYS), st.integers(1, 3), min_size=1)
    # which order, which operator's part, the percent of what is left on its lines and of its shipping charge
    refund = st.tuples(st.integers(0, 2), st.sampled_from(STORE_KEYS), st.integers(0, 100), st.integers(0, 100))
    return {
        "campus": {key: draw(percent) for key in STORE_KEYS},
        "marketing": draw(st.decimals(min_value=ZERO, max_value=Decimal("20.00"), places=2)),
        "royalty": draw(st.decimals(min_value=ZERO, max_value=Decimal("10.00"), places=2)),
        "prices": {key: draw(price) for key in OFFER_KEYS},
        "orders": draw(st.lists(order, min_size=1, max_size=3)),
        "refunds": draw(st.lists(refund, max_size=5)),
        "payouts": draw(st.sampled_from(["none", "before refunds", "after refunds", "both"])),
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios())
def test_any_orders_refunds_and_payouts_keep_every_entry_whole(shop, place_order, pay, refund, staff, scenario):
    from marketplace.fulfilment.refunds import refundable_by_line, refundable_shipping

    with transaction.atomic():  # each example starts from the same shop
        # given the shop's percentages and prices
        base = selectors.current_policy()
        services.set_policy(
            actor=staff, campus_fund_minimum_percent=base.campus_fund_minimum_percent,
            card_fee_percent=base.card_fee_percent, card_fee_fixed=base.card_fee_fixed,
            payout_threshold=base.payout_threshold,
            marketing_percent=scenario["marketing"], royalty_percent=scenario["royalty"],
        )  # fmt: skip
        stores, offers = shop["stores"], shop["offers"]
        for key, percent in scenario["campus"].items():
            Storefront.objects.filter(pk=stores[key].pk).update(campus_fund_percent=percent)
        for key, price in scenario["prices"].items():
            offers[key].__class__.objects.filter(pk=offers[key].pk).update(price=price)
            offers[key].refresh_from_db()

        # when orders are paid, refunded in part or in full, and balances paid out
        orders = [place_order({offers[key]: quantity for key, quantity in wanted.items()})
                  for wanted in scenario["orders"]]  # fmt: skip
        for order in orders:
            pay(order)
        checked_payouts = []

        def payouts() -> set[int]:
            balances = {account.pk: selectors.balance(account) for account in Account.objects.all()}
            paid = paying.run_payouts()
            for payout in paid:
                assert 0 < payout.amount <= balances[payout.account_id]
                checked_payouts.append(payout.pk)
            threshold = selectors.current_policy().payout_threshold
            for account in Account.objects.filter(kind__in=(Account.OPERATOR, Account.CONTRIBUTOR)):
                assert selectors.balance(account) < threshold  # every balance that reached it was paid out
            return {payout.account_id for payout in paid}

        paid_out_before_a_refund = payouts() if scenario["payouts"] in ("before refunds", "both") else set()
        for which, store_key, line_percent, shipping_percent in scenario["refunds"]:
            order = orders[which % len(orders)]
            part = order.operator_orders.filter(partner=stores[store_key].partner).first()
            if part is None:
                continue
            amounts = {line_id: (left * line_percent / 100).quantize(Decimal("0.01"))
                       for line_id, left in refundable_by_line(part).items()}  # fmt: skip
            shipping = (refundable_shipping(part) * shipping_percent / 100).quantize(Decimal("0.01"))
            if sum(amounts.values(), shipping) > 0:
                refund(order, stores[store_key].partner, amounts, shipping_amount=shipping)
        if scenario["payouts"] in ("after refunds", "both"):
            payouts()

        # then every entry balances and the ledger sums to zero
        assert selectors.ledger_total() == 0
        assert not selectors.unbalanced_entries().exists()
        # every payment is allocated once, in full
        for payment in PaymentEvent.objects.filter(order__in=orders, event_type__code="paid"):
            entry = JournalEntry.objects.get(reference=f"payment:{payment.pk}")
            assert entry.amount == payment.amount
            assert _sum(entry.postings.exclude(account__kind=Account.CLEARING)) == payment.amount
        # every refund is reversed once, in full, from the refunded lines and shipping only
        for given_back in Refund.objects.filter(order__in=orders):
            entry = JournalEntry.objects.get(reference=f"refund:{given_back.pk}")
            reversal = entry.postings.exclude(account__kind=Account.CLEARING)
            assert _sum(reversal) == -given_back.amount
            refunded_lines = set(given_back.lines.values_list("line", flat=True))
            assert set(reversal.exclude(line=None).values_list("line", flat=True)) <= refunded_lines
        # a line given back in full leaves nothing with anyone
        for order in orders:
            for line in order.lines.all():
                taken = line.refund_lines.filter(refund__status=Refund.SUCCEEDED).aggregate(total=Sum("amount"))
                if taken["total"] == line.line_price_incl_tax:
                    assert _net_by_account_of(line) == {ZERO}
        # no payout exceeds the balance it paid, and only a refund after a payout leaves a balance below zero
        assert Payout.objects.filter(pk__in=checked_payouts).count() == Payout.objects.count()
        for account in Account.objects.filter(kind__in=(Account.OPERATOR, Account.CONTRIBUTOR)):
            if account.pk not in paid_out_before_a_refund:
                assert selectors.balance(account) >= 0, account
        transaction.set_rollback(True)


def test_a_storefront_below_todays_campus_minimum_gives_the_minimum(shop, place_order, pay, staff):
    # given Berlin chose 5% when that was allowed, and staff then raised the minimum to 8%
    base = selectors.current_policy()
    values = {name: getattr(base, name) for name in POLICY}
    services.set_policy(actor=staff, **{**values, "campus_fund_minimum_percent": Decimal("8.00")})
    assert base.campus_fund_minimum_percent < Decimal("8.00") and shop["stores"]["berlin"].campus_fund_percent == 5
    order = place_order(_three_operators(shop))

    pay(order)

    # then its line gives 8% to the campus fund, Lyon's own 10% stays 10%
    campus = Posting.objects.filter(account__kind=Account.CAMPUS_FUND)
    berlin, lyon = _line(order, shop["stores"]["berlin"]), _line(order, shop["stores"]["lyon"])
    assert [p.amount for p in campus.filter(line=berlin)] == [berlin.line_price_incl_tax * 8 / 100]
    assert [p.amount for p in campus.filter(line=lyon)] == [lyon.line_price_incl_tax * 10 / 100]
