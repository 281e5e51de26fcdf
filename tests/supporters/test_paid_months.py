"""Each paid True Fans month is a payment split by the ledger (the storefront's campus-fund share, the pool, the rest to
the operator; the card fee first when a card paid it), recorded and booked once however often Stripe says so."""

import hashlib
import hmac
import json
import random
import time
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse

from marketplace.revenue.models import Account, JournalEntry
from marketplace.revenue.verification import verify
from marketplace.supporters import services
from marketplace.supporters.models import Support, SupportMonth
from tests.payments.recorded_billing import event, paid_invoice, subscription_object

pytestmark = pytest.mark.django_db
SECRET = "whsec_recorded"


def _shares(month) -> dict[str, Decimal]:
    entry = JournalEntry.objects.get(reference=f"support:{month.pk}")
    return {posting.account.kind: posting.amount for posting in entry.postings.select_related("account")}


def test_a_bank_month_recorded_by_staff_is_split_with_no_card_fee(store, fan, records_months):
    store.campus_fund_percent = Decimal("10.00")
    store.save()
    plan = services.start_support(user=fan, storefront=store, amount="30.00", term_months=None, method=Support.BANK)

    month = services.record_bank_month(support=plan, amount="30.00", staff=records_months)

    # 10 % to the campus fund, 5 % (the default policy) to the pool, the rest to the operator; no card fee
    assert _shares(month) == {
        Account.CLEARING: Decimal("-30.00"), Account.CAMPUS_FUND: Decimal("3.00"),
        Account.MARKETING_POOL: Decimal("1.50"), Account.OPERATOR: Decimal("25.50"),
    }  # fmt: skip
    assert not verify().problems
    plan.refresh_from_db()
    assert plan.status == Support.ACTIVE and plan.next_due_date == month.period_start + relativedelta(months=1)


def test_a_card_month_pays_the_card_fee_first(store, fan):
    Support.objects.create(user=fan, storefront=store, amount=Decimal("10.00"), currency="USD", method=Support.CARD,
                           start_date="2026-12-01", stripe_subscription_id="sub_X1")  # fmt: skip
    outcome = services.apply_invoice_paid(
        subscription_id="sub_X1", invoice_id="in_X1", amount=Decimal("10.00"), currency="USD",
        paid_at=_dt(1796056860), period_start=_dt(1796056803), period_end=_dt(1798735203), metadata={},
    )  # fmt: skip
    month = SupportMonth.objects.get()
    assert outcome == f"month support:{month.pk} recorded and booked"
    shares = _shares(month)
    assert shares[Account.PAYMENT_FEES] == Decimal("0.59")  # 2.9 % of 10.00 rounded, plus 0.30
    assert shares[Account.CAMPUS_FUND] + shares[Account.MARKETING_POOL] + shares[Account.OPERATOR] == Decimal("9.41")
    assert sum(shares.values()) == 0


def test_a_bank_month_of_another_amount_is_refused_with_what_to_do(store, fan, records_months):
    plan = services.start_support(user=fan, storefront=store, amount="20.00", term_months=None, method=Support.BANK)
    for wrong in ("-1", "0", "1000000000", "1.5", "twenty", "30.00"):
        with pytest.raises(services.SupportError) as refused:
            services.record_bank_month(support=plan, amount=wrong, staff=records_months)
        assert "20.00" in str(refused.value) or "number" in str(refused.value)
    assert not SupportMonth.objects.exists() and not JournalEntry.objects.exists()


def test_the_same_bank_month_twice_books_once(store, fan, records_months):
    plan = services.start_support(user=fan, storefront=store, amount="20.00", term_months=None, method=Support.BANK)
    first = services.record_bank_month(support=plan, amount="20.00", staff=records_months)
    again, created = services.record_paid_month(
        support=plan, period_start=first.period_start, amount=Decimal("20.00"), currency="USD", paid_at=first.paid_at
    )
    assert again == first and not created
    assert JournalEntry.objects.filter(reference__startswith="support:").count() == 1


# --- Stripe's events, through the webhook and the worker's code path ---------------------------------------------


def _dt(timestamp):
    import datetime

    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def _sign(body: str) -> str:
    timestamp = int(time.time())
    return f"t={timestamp},v1={hmac.new(SECRET.encode(), f'{timestamp}.{body}'.encode(), hashlib.sha256).hexdigest()}"


def _post(payload: dict, capture):
    body = json.dumps(payload)
    with capture(execute=True):
        return Client(enforce_csrf_checks=True).post(
            reverse("payments:stripe-webhook"), body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_sign(body)
        )


@pytest.fixture
def card_plan(store, fan, recorded_stripe):
    plan = services.start_support(user=fan, storefront=store, amount="20.00", term_months=24, method=Support.CARD)
    assert plan.client_secret.startswith("pi_Recorded")  # the page confirms the first payment with it
    plan.refresh_from_db()
    assert plan.status == Support.PENDING and plan.stripe_subscription_id.startswith("sub_Recorded")
    return plan


def test_one_invoice_delivered_20_times_amid_subscription_updates_is_one_month_and_one_entry(
    card_plan, django_capture_on_commit_callbacks
):
    sub, metadata = card_plan.stripe_subscription_id, {"support_id": str(card_plan.pk), "storefront": "x"}
    now = int(time.time())
    paid = [
        event(f"evt_Paid{n:02d}", "invoice.paid", paid_invoice(sub_id=sub, cents=2000, metadata=metadata))
        for n in range(20)  # Stripe retries: each delivery its own event id, the same invoice
    ]
    updates = [
        event(f"evt_Sub{n}", "customer.subscription.updated",
              subscription_object(sub, status=status, metadata=metadata, period_end=1798735203), created=now - 60 + n)
        for n, status in ((0, "incomplete"), (1, "active"))
    ]  # fmt: skip
    storm = paid + updates + updates
    random.Random(25).shuffle(storm)
    answers = [_post(payload, django_capture_on_commit_callbacks) for payload in storm]

    assert all(answer.status_code == 200 for answer in answers)
    month = SupportMonth.objects.get()
    assert month.stripe_invoice_id == "in_1SqRc0TrueFansInv1" and month.amount == Decimal("20.00")
    assert JournalEntry.objects.filter(reference__startswith="support:").count() == 1
    assert JournalEntry.objects.get(reference=f"support:{month.pk}").amount == Decimal("20.00")
    card_plan.refresh_from_db()
    assert card_plan.status == Support.ACTIVE  # the newest word (active), whatever order the words came in
    assert card_plan.next_due_date == _dt(1798735203).date()
    assert not verify().problems


def test_an_older_status_arriving_late_changes_nothing(card_plan):
    services.apply_subscription_changed(subscription_id=card_plan.stripe_subscription_id, status="past_due",
                                        metadata={}, as_of=_dt(2000))  # fmt: skip
    services.apply_subscription_changed(subscription_id=card_plan.stripe_subscription_id, status="active",
                                        metadata={}, as_of=_dt(1000))  # fmt: skip
    card_plan.refresh_from_db()
    assert card_plan.status == Support.PAST_DUE


def test_an_invoice_for_a_plan_not_saved_yet_waits(store):
    outcome = services.apply_invoice_paid(
        subscription_id="sub_Unknown", invoice_id="in_U", amount=Decimal("10.00"), currency="USD",
        paid_at=_dt(1796056860), period_start=_dt(1796056803), period_end=None, metadata={"support_id": "999999"},
    )  # fmt: skip
    assert outcome is None  # no answer: the stored event is applied again later
    assert "no True Fans plan" in services.apply_invoice_paid(
        subscription_id="sub_Other", invoice_id="in_O", amount=Decimal("10.00"), currency="USD",
        paid_at=_dt(1796056860), period_start=None, period_end=None, metadata={},
    )  # fmt: skip
