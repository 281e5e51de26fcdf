"""The ledger against a model of it: any sequence of payments, refunds (half a line, the rest of it, a shipping
charge, too much), payouts, policy changes and repeated deliveries, run through the real services, keeps every entry
balanced, every payment allocated to the cent, refunds within captures, payouts within balances, and every account's
balance where a small Python model of the rules says it is.

The prices (900.00, 1400.00, 400.00), the storefronts' campus percentages (5, 10, 7.5) and the whole-number policy
percentages make every share a multiple of 0.50, so half a line reverses to the exact cent and the model needs no
rounding rule of its own: it is the seed's rule in plain arithmetic, not a second copy of ``calculations``."""

# ruff: noqa: F811  (the fixtures imported from tests/revenue/conftest.py are test arguments here)
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from oscar.core.loading import get_model

from marketplace.fulfilment.models import OperatorOrder
from marketplace.fulfilment.refunds import request_refund
from marketplace.money import cents
from marketplace.payments.models import Refund
from marketplace.payments.services import confirm_offline_payment
from marketplace.revenue import payouts as paying
from marketplace.revenue import selectors, services, verification
from marketplace.revenue.models import Account, JournalEntry, Payout, Posting
from marketplace.revenue.tasks import allocate_payment_task, reverse_refund_task
from tests.revenue.conftest import place_order, shop, staff  # noqa: F401  (the revenue tests' shop, as fixtures)

PaymentEvent = get_model("order", "PaymentEvent")
ZERO, CENT, HUNDRED = Decimal("0.00"), Decimal("0.01"), Decimal("100")
OFFER_KEYS = ("berlin-printer", "lyon-mill", "nairobi-press")
STORE_PERCENT = {"berlin": Decimal("5.00"), "lyon": Decimal("10.00"), "nairobi": Decimal("7.50")}  # the shop's
pytestmark = pytest.mark.django_db

policies = st.fixed_dictionaries({
    "campus_fund_minimum_percent": st.sampled_from([Decimal("5"), Decimal("8"), Decimal("12")]),
    "marketing_percent": st.sampled_from([Decimal("3"), Decimal("5")]),
    "royalty_percent": st.sampled_from([Decimal("2"), Decimal("3"), Decimal("4")]),
    "card_fee_percent": st.just(Decimal("2.90")), "card_fee_fixed": st.just(Decimal("0.30")),
    "payout_threshold": st.sampled_from([Decimal("25.00"), Decimal("500.00"), Decimal("2000.00")]),
})  # fmt: skip
baskets = st.dictionaries(st.sampled_from(OFFER_KEYS), st.integers(1, 2), min_size=1)


def _key(account: Account) -> tuple:
    """An account as the model names it: (kind, partner or user id), or (kind,) for the shop's own."""
    if account.kind == Account.OPERATOR:
        return (Account.OPERATOR, account.partner_id)
    if account.kind == Account.CONTRIBUTOR:
        return (Account.CONTRIBUTOR, account.user_id)
    return (account.kind,)


def _exact(value: Decimal) -> Decimal:
    assert value == value.quantize(CENT), f"the model needs rounding for {value}: the scenario is not exact"
    return value.quantize(CENT)


class Model:
    """Expected balances per account, from the rules: a line's price goes to the campus fund (the storefront's
    percentage, at least the policy's minimum), the marketing pool, the mark holders of a certified design (equal
    shares) and the operator (the rest); a shipping charge to the operator; a refund takes back from each account
    its share of what it refunds; a payout empties a balance at or above the threshold."""

    def __init__(self, *, stores: dict, holders: dict):
        self.stores, self.holders = stores, holders  # partner id → campus %, design id → mark holders' user ids
        self.balances: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        self.shares: dict[int, dict[tuple, Decimal]] = {}  # line id → account → what the line gave it
        self.gross: dict[int, Decimal] = {}  # line id → its price
        self.refunded: dict[int, Decimal] = {}  # line id → given back
        self.paid_out: dict[tuple, Decimal] = defaultdict(lambda: ZERO)

    def allocate(self, order, policy) -> None:
        self.balances[(Account.CLEARING,)] -= order.total_incl_tax
        for line in order.lines.select_related("product"):
            gross = line.line_price_incl_tax
            campus = max(self.stores[line.partner_id], policy.campus_fund_minimum_percent)
            holders = self.holders.get(line.product.design_id, ())
            royalty = policy.royalty_percent if holders else ZERO
            shares = {
                (Account.CAMPUS_FUND,): _exact(gross * campus / HUNDRED),
                (Account.MARKETING_POOL,): _exact(gross * policy.marketing_percent / HUNDRED),
            }
            for holder in holders:
                shares[(Account.CONTRIBUTOR, holder)] = _exact(gross * royalty / HUNDRED / len(holders))
            shares[(Account.OPERATOR, line.partner_id)] = gross - sum(shares.values())
            self.shares[line.pk], self.gross[line.pk] = shares, gross
            for key, amount in shares.items():
                self.balances[key] += amount
        for part in OperatorOrder.objects.filter(order=order):
            self.balances[(Account.OPERATOR, part.partner_id)] += part.shipping_charge

    def refund_line(self, line_id: int, amount: Decimal) -> None:
        self.balances[(Account.CLEARING,)] += amount
        for key, share in self.shares[line_id].items():
            self.balances[key] -= _exact(share * amount / self.gross[line_id])
        self.refunded[line_id] = self.refunded.get(line_id, ZERO) + amount

    def refund_shipping(self, partner_id: int, amount: Decimal) -> None:
        self.balances[(Account.CLEARING,)] += amount
        self.balances[(Account.OPERATOR, partner_id)] -= amount

    def payouts(self, threshold: Decimal) -> list[tuple]:
        due = []
        for key, amount in list(self.balances.items()):
            if key[0] in (Account.OPERATOR, Account.CONTRIBUTOR) and amount >= threshold and amount > 0:
                due.append((key, amount))
                self.balances[(Account.CLEARING,)] += amount
                self.balances[key] = ZERO
                self.paid_out[key] += amount
        return sorted(due)


def _ledger_balances() -> dict[tuple, Decimal]:
    return {_key(account): cents(account.balance) for account in selectors.accounts_with_balances()}


def test_the_ledger_agrees_with_its_model_whatever_happens(shop, place_order, staff):
    offers, stores, (alice, bob) = shop["offers"], shop["stores"], shop["holders"]
    printer = shop["designs"][0]
    partner_percent = {stores[key].partner_id: percent for key, percent in STORE_PERCENT.items()}
    assert {store.partner_id: store.campus_fund_percent for store in stores.values()} == partner_percent
    run = {"examples": 0, "steps": 0, "payments": 0, "refunds": 0, "payouts": 0, "refused": 0}

    class Ledger(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()  # each example starts from the same shop and leaves nothing
            self._atomic.__enter__()
            self.model = Model(stores=partner_percent, holders={printer.pk: tuple(sorted((alice.pk, bob.pk)))})
            self.model.balances.update(_ledger_balances())
            self.paid, self.pending = [], []
            self.payouts_before = Payout.objects.count()
            run["examples"] += 1

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

        def _run_on_commit(self, service, **kwargs):
            with TestCase.captureOnCommitCallbacks(execute=True):  # what the service enqueues runs (eagerly)
                return service(**kwargs)

        # --- rules ------------------------------------------------------------------------------------------

        @rule(basket=baskets, pay_now=st.booleans())
        def place_an_order(self, basket, pay_now):
            order = place_order({offers[key]: quantity for key, quantity in basket.items()})
            self.pending.append(order)
            if pay_now:
                self.pay_a_pending_order(index=len(self.pending) - 1)

        @precondition(lambda self: self.pending)
        @rule(index=st.integers(0, 10))
        def pay_a_pending_order(self, index):
            order = self.pending.pop(index % len(self.pending))
            self._run_on_commit(confirm_offline_payment, order_id=order.pk, actor=staff, reference="SEPA")
            self.model.allocate(order, selectors.current_policy())
            self.paid.append(order)
            run["payments"] += 1

        @precondition(lambda self: self.paid)
        @rule(index=st.integers(0, 50), half=st.booleans())
        def refund_a_line(self, index, half):
            """Half of a line never refunded before, or whatever is left of it."""
            lines = [line for order in self.paid for line in order.lines.all()]
            line = lines[index % len(lines)]
            left = self.model.gross[line.pk] - self.model.refunded.get(line.pk, ZERO)
            if left == 0:
                return
            amount = left / 2 if half and left == self.model.gross[line.pk] else left
            part = OperatorOrder.objects.get(order_id=line.order_id, partner_id=line.partner_id)
            self._run_on_commit(request_refund, part_id=part.pk, actor=staff, amounts={line.pk: amount},
                                reason="Arrived damaged")  # fmt: skip
            self.model.refund_line(line.pk, amount)
            run["refunds"] += 1

        @precondition(lambda self: self.paid)
        @rule(index=st.integers(0, 50))
        def refund_a_shipping_charge(self, index):
            parts = list(OperatorOrder.objects.filter(order__in=self.paid, shipping_charge__gt=0).order_by("pk"))
            if not parts:
                return
            part = parts[index % len(parts)]
            from marketplace.fulfilment.refunds import refundable_shipping

            left = refundable_shipping(part)
            if left:
                self._run_on_commit(request_refund, part_id=part.pk, actor=staff, amounts={}, shipping_amount=left,
                                    reason="Collected in person")  # fmt: skip
                self.model.refund_shipping(part.partner_id, left)
                run["refunds"] += 1

        @rule(index=st.integers(0, 50))
        def refund_more_than_is_left_is_refused(self, index):
            """A cent more than is left on a line (or anything of an unpaid order) is refused, and books nothing."""
            orders = self.paid + self.pending
            if not orders:
                return
            lines = [line for order in orders for line in order.lines.all()]
            line = lines[index % len(lines)]
            left = self.model.gross.get(line.pk, line.line_price_incl_tax) - self.model.refunded.get(line.pk, ZERO)
            part = OperatorOrder.objects.get(order_id=line.order_id, partner_id=line.partner_id)
            entries = JournalEntry.objects.count()
            with pytest.raises(ValidationError):
                self._run_on_commit(request_refund, part_id=part.pk, actor=staff, amounts={line.pk: left + CENT},
                                    reason="Too much")  # fmt: skip
            assert JournalEntry.objects.count() == entries
            run["refused"] += 1

        @rule()
        def run_the_payouts(self):
            threshold = selectors.current_policy().payout_threshold
            expected = self.model.payouts(threshold)
            made = self._run_on_commit(paying.run_payouts)
            assert sorted((_key(payout.account), payout.amount) for payout in made) == expected
            run["payouts"] += len(made)

        @rule(values=policies)
        def change_the_policy(self, values):
            services.set_policy(actor=staff, **values)

        @precondition(lambda self: self.paid)
        @rule(index=st.integers(0, 50))
        def deliver_an_allocation_or_reversal_again(self, index):
            """A task delivered twice (a redelivery after a lost acknowledgement) books nothing twice."""
            events = list(PaymentEvent.objects.filter(order__in=self.paid, event_type__code="paid").order_by("pk"))
            allocate_payment_task.delay(payment_event_id=events[index % len(events)].pk)
            refunds = list(Refund.objects.filter(order__in=self.paid).order_by("pk"))
            if refunds:
                reverse_refund_task.delay(refund_id=refunds[index % len(refunds)].pk)

        # --- after every step -------------------------------------------------------------------------------

        @invariant()
        def every_entry_balances(self):
            run["steps"] += 1
            assert not selectors.unbalanced_entries().exists()
            assert selectors.ledger_total() == 0

        @invariant()
        def every_payment_is_allocated_once_and_exactly(self):
            for event in PaymentEvent.objects.filter(order__in=self.paid, event_type__code="paid"):
                entry = JournalEntry.objects.get(reference=f"payment:{event.pk}")
                assert entry.amount == event.amount == event.order.total_incl_tax
                postings = entry.postings.exclude(account__kind=Account.CLEARING)
                assert cents(postings.aggregate(total=Sum("amount"))["total"]) == event.amount
                assert not postings.filter(amount__lt=0).exists()
            assert services.unallocated_payment_ids() == []

        @invariant()
        def refunds_never_exceed_captures(self):
            for order in self.paid + self.pending:
                captured = cents(order.payment_events.filter(event_type__code="paid")
                                           .aggregate(total=Sum("amount"))["total"])  # fmt: skip
                refunded = cents(order.refunds.aggregate(total=Sum("amount"))["total"])
                reversed_ = cents(
                    Posting.objects.filter(
                        entry__order=order, entry__kind=JournalEntry.REFUND, account__kind=Account.CLEARING
                    ).aggregate(total=Sum("amount"))["total"]
                )
                assert refunded <= captured and reversed_ == refunded
            for line_id, refunded in self.model.refunded.items():
                assert refunded <= self.model.gross[line_id]

        @invariant()
        def payouts_never_exceed_balances(self):
            balances = _ledger_balances()
            for payout in Payout.objects.select_related("account").order_by("pk")[self.payouts_before :]:
                assert payout.amount > 0
            for key, paid_out in self.model.paid_out.items():
                if paid_out:
                    earned = cents(
                        Posting.objects.filter(entry__kind=JournalEntry.ALLOCATION, account__kind=key[0],
                                               **{"account__partner_id" if key[0] == Account.OPERATOR
                                                  else "account__user_id": key[1]}).aggregate(t=Sum("amount"))["t"]
                    )  # fmt: skip
                    assert paid_out <= earned and balances[key] >= -earned

        @invariant()
        def the_ledger_agrees_with_the_model(self):
            ledger = _ledger_balances()
            model = {key: amount for key, amount in self.model.balances.items() if amount or key in ledger}
            assert {key: ledger.get(key, ZERO) for key in model} == model
            assert not [key for key, amount in ledger.items() if amount and key not in model]

        @invariant()
        def verify_ledger_finds_no_drift(self):
            assert verification.verify().problems == []

    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=20, stateful_step_count=15, deadline=None, derandomize=True,  # the same steps every run
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    ))  # fmt: skip
    print(f"ledger machine: {run}")
    assert run["payments"] and run["refunds"] and run["payouts"]  # the machine reached every kind of step
