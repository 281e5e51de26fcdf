"""An operator connects its own Stripe account from its revenue page: Stripe's onboarding (played from recorded
responses, as localstripe has no Connect) sends it back unfinished, the page says what Stripe still needs and that
staff pay by bank until then; once Stripe can receive transfers, the page says payouts go to Stripe."""

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_operator_connects_its_stripe_account_and_sees_where_it_is_paid(journey, recorded_stripe):
    journey = journey("operator-stripe")
    store = factories.storefront("Berlin Fab", city="Berlin")
    operator = journey.person(store.operator.email)

    # given its revenue page, not connected: payouts by hand, and a button to connect
    operator.goto("/dashboard/revenue/")
    card = operator.locator("#stripe-account")
    expect(card).to_contain_text("Connect a Stripe account of your own")
    expect(operator.locator("#next-payout")).to_contain_text("By bank transfer")
    journey.screenshot(operator, "01-not-connected", phone=True)

    # when it connects and comes back from Stripe before finishing
    card.get_by_role("button", name="Connect with Stripe").click()
    expect(operator.locator(".alert-info")).to_contain_text("Stripe has not finished checking your account yet")
    expect(card.locator("#stripe-pending")).to_contain_text("Not ready")
    expect(card).to_contain_text("a bank account for Stripe to pay you")
    expect(card).to_contain_text("Until Stripe can receive transfers for you, staff pay you by bank transfer.")
    expect(operator.locator("#next-payout")).to_contain_text("By bank transfer")
    journey.screenshot(operator, "02-onboarding-unfinished", phone=True)

    # when it finishes on Stripe
    recorded_stripe.account_state = "account_ready"
    card.get_by_role("button", name="Continue on Stripe").click()

    # then its page says it is connected and that payouts go by Stripe
    expect(operator.locator(".alert-success")).to_contain_text("Your Stripe account is connected")
    expect(card.locator("#stripe-ready")).to_contain_text("Connected")
    expect(operator.locator("#next-payout")).to_contain_text("By Stripe, to your connected account.")
    journey.screenshot(operator, "03-connected", phone=True)
    assert recorded_stripe.paths().count("POST /v1/accounts") == 1  # one Stripe account, however often it goes back
