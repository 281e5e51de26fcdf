"""A shopper becomes a True Fan: from the landing page to True Fans, a storefront's $20 plan by standing order (signed
in on the way and led back), the standing order's instructions, then the plan and its next date on My support; staff
record the month that arrived, and the supporter sees "1 month paid"."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.supporters import services
from marketplace.supporters.models import Support
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_shopper_supports_a_storefront_by_standing_order_and_staff_record_its_month(journey, settings):
    # given Portland Passive offering True Fans, a shopper and staff who record standing orders
    journey = journey("supporter")
    portland = factories.storefront("Portland Passive", tier="passive", city="Portland")
    services.set_offer(storefront=portland, enabled=True, pitch="Your month pays for our open CNC curriculum.")
    factories.UserFactory(email="fan@example.com", first_name="Ada", last_name="Lovelace")
    staff = factories.staff("supporters.view_support", "supporters.add_supportmonth", email="books@example.com")

    # when the shopper finds True Fans from the landing page
    fan = journey.person()
    fan.goto("/")
    fan.locator("#true-fans").get_by_role("link", name="Become a True Fan").click()
    expect(fan.locator("h1")).to_contain_text("True Fans")
    expect(fan.locator("#plans .plan")).to_have_count(5)
    expect(fan.locator("#offering")).to_contain_text("Your month pays for our open CNC curriculum.")
    journey.screenshot(fan, "01-true-fans", phone=True)

    # and picks Portland Passive: asked to sign in, then back on its support page
    fan.get_by_role("link", name="Support Portland Passive").click()
    expect(fan).to_have_url(re.compile(r"/accounts/login/"))
    fan.fill("#id_login-username", "fan@example.com")
    fan.fill("#id_login-password", "skelebrain")
    fan.click("button[name=login_submit]")
    expect(fan).to_have_url(re.compile(rf"/stores/{portland.slug}/support/$"))
    for choice in ("$20.00 a month", "Until I cancel", "Bank standing order"):
        fan.locator("#plan-form label", has_text=choice).click()  # Bootstrap's custom radios: the label is clicked
        expect(fan.get_by_label(choice, exact=False)).to_be_checked()
    journey.screenshot(fan, "02-support", phone=True)
    fan.get_by_role("button", name="Become a True Fan").click()

    # then the page gives the standing order's instructions: the shop's account, the amount, the day, the reference
    plan = Support.objects.get()
    box = fan.locator("#standing-order")
    expect(box).to_contain_text(settings.BANK_TRANSFER_IBAN)
    expect(box.locator("#standing-order-amount")).to_have_text("$20.00")
    expect(box.locator("#standing-order-reference")).to_have_text(plan.bank_reference)
    expect(box.locator("#standing-order-first")).to_have_text(plan.next_due_date.strftime("%-d %B %Y"))
    journey.screenshot(fan, "03-standing-order", phone=True)

    # and My support shows the plan and its next date
    fan.goto("/accounts/support/")
    card = fan.locator(f"#support-{plan.pk}")
    expect(card.locator(".plan-amount")).to_contain_text("$20.00 a month")
    expect(card.locator(".next-date")).to_have_text(plan.next_due_date.strftime("%-d %B %Y"))
    expect(card.locator(".months-paid")).to_contain_text("0 months paid")
    journey.screenshot(fan, "04-my-support", phone=True)

    # when staff see the month arrive and record it
    books = journey.person(staff.email)
    books.goto("/dashboard/true-fans/standing-orders/")
    row = books.locator(f"#standing-order-{plan.pk}")
    expect(row).to_contain_text(plan.bank_reference)
    row.get_by_role("button", name="Received").click()
    expect(books.locator(".alert-success")).to_contain_text(f"for {plan.bank_reference} and booked it in the ledger")
    journey.screenshot(books, "05-recorded")

    # then the supporter sees one month paid, and the next date a month on
    fan.reload()
    expect(card.locator(".months-paid")).to_contain_text("1 month paid")
    plan.refresh_from_db()
    expect(card.locator(".next-date")).to_have_text(plan.next_due_date.strftime("%-d %B %Y"))
    expect(card.locator(".plan-status")).to_have_text("Active")
