"""Payouts to connected accounts go out as Stripe transfers. localstripe does not serve /v1/transfers, so Stripe's
own library is pointed at a small server answering with a recorded Stripe response; what our code sent (amount,
destination, idempotency key) is checked on the wire."""

from decimal import Decimal

import pytest

from marketplace.revenue import payouts as paying
from marketplace.revenue.models import Payout
from marketplace.revenue.selectors import balance
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_connected_operator_is_paid_out_by_one_stripe_transfer(
    recorded_stripe, two_operators, django_capture_on_commit_callbacks
):
    from marketplace.revenue.models import Account

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    account = Account.objects.get(partner=two_operators["berlin"].partner)
    account.stripe_account_id, account.stripe_transfers_active = "acct_1QRecordedOperator", True
    account.save(update_fields=["stripe_account_id", "stripe_transfers_active"])
    owed = balance(account)
    assert owed > Decimal("25.00")

    with django_capture_on_commit_callbacks(execute=True):
        [payout] = [p for p in paying.run_payouts() if p.account_id == account.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert [p for p in paying.run_payouts() if p.account_id == account.pk] == []  # nothing left to pay
    payout.refresh_from_db()
    assert (payout.method, payout.status, payout.amount) == (Payout.STRIPE, Payout.PAID, owed)
    assert payout.stripe_transfer_id == "tr_1QRecordedTransfer01"
    assert balance(account) == 0

    [sent] = recorded_stripe.requests
    assert sent["path"] == "/v1/transfers" and sent["idempotency_key"] == f"oss-payout-{payout.pk}"
    assert sent["form"]["amount"] == str(int(owed * 100)) and sent["form"]["destination"] == "acct_1QRecordedOperator"
    assert paying.transfer_payout(payout_id=payout.pk) == "nothing to transfer"  # a retried task sends nothing
    assert len(recorded_stripe.requests) == 1


def test_without_a_connected_account_the_payout_waits_for_staff(
    recorded_stripe, two_operators, django_capture_on_commit_callbacks
):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        payouts = paying.run_payouts()
    assert payouts and all(p.method == Payout.MANUAL and p.status == Payout.PENDING for p in payouts)
    assert recorded_stripe.requests == []
