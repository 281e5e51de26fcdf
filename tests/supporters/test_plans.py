"""True Fans as a supporter, an operator and staff see it: choosing a plan, the standing order's instructions, one's
own plans and cancelling them, the 24-month term, the missed-month reminder, the counts in $10 units and MRR, and who
may see whose supporters."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from marketplace.supporters import selectors, services
from marketplace.supporters.models import MissedMonthReminder, Support, SupportMonth
from tests import factories

pytestmark = pytest.mark.django_db


def _bank(user, store, amount="20.00", term=None):
    return services.start_support(user=user, storefront=store, amount=amount, term_months=term, method=Support.BANK)


# --- choosing a plan ----------------------------------------------------------------------------------------------


def test_true_fans_is_found_from_the_landing_page_and_the_storefront_page(client, store):
    assert reverse("supporters:true-fans") in client.get("/").content.decode()
    page = client.get(reverse("supporters:true-fans")).content.decode()
    assert "Portland Passive" in page and "Your month pays for our open CNC curriculum." in page
    assert "3 True Fansships" in page  # the $30 plan
    storefront_page = client.get(store.get_absolute_url()).content.decode()
    assert reverse("supporters:support", kwargs={"slug": store.slug}) in storefront_page


def test_an_anonymous_visitor_is_led_to_sign_in_and_back(client, store):
    url = reverse("supporters:support", kwargs={"slug": store.slug})
    answer = client.get(url)
    assert answer.status_code == 302 and "login" in answer["Location"] and "next=" in answer["Location"]


def test_a_standing_order_plan_shows_the_shop_s_account_the_amount_the_day_and_the_reference(client, store, fan,
                                                                                               settings):  # fmt: skip
    client.force_login(fan)
    answer = client.post(reverse("supporters:support", kwargs={"slug": store.slug}),
                         {"amount": "20.00", "term": "24", "method": "bank"}, follow=True)  # fmt: skip
    plan = Support.objects.get()
    assert (plan.amount, plan.term_months, plan.method, plan.status) == (Decimal("20.00"), 24, "bank", "pending")
    page = answer.content.decode()
    assert settings.BANK_TRANSFER_IBAN in page and settings.BANK_TRANSFER_HOLDER in page
    assert plan.bank_reference in page and "$20.00" in page
    assert plan.next_due_date.strftime("%-d %B %Y") in page

    mine = client.get(reverse("supporters:mine")).content.decode()
    assert "Portland Passive" in mine and "$20.00 a month" in mine and "0 months paid" in mine
    assert plan.next_due_date.strftime("%-d %B %Y") in mine


@pytest.mark.parametrize("amount", ["-1", "0", "1000000000", "1.5", "twenty", "", "25", "NaN", "Infinity"])
def test_an_amount_that_is_no_plan_is_refused_saying_which_plans_there_are(client, store, fan, amount):
    client.force_login(fan)
    answer = client.post(reverse("supporters:support", kwargs={"slug": store.slug}),
                         {"amount": amount, "term": "none", "method": "bank"})  # fmt: skip
    assert answer.status_code == 400
    assert "10, 20, 30, 50, 100" in answer.content.decode() or "required" in answer.content.decode()
    assert not Support.objects.exists()


def test_card_is_not_offered_while_stripe_is_not_configured(client, store, fan, settings):
    settings.STRIPE_SECRET_KEY = ""
    client.force_login(fan)
    page = client.get(reverse("supporters:support", kwargs={"slug": store.slug})).content.decode()
    assert 'value="card"' not in page and "takes no cards" in page
    answer = client.post(reverse("supporters:support", kwargs={"slug": store.slug}),
                         {"amount": "10.00", "term": "none", "method": "card"})  # fmt: skip
    assert answer.status_code == 400 and not Support.objects.exists()


def test_a_card_plan_confirms_the_first_payment_with_stripe_js(client, store, fan, recorded_stripe):
    client.force_login(fan)
    answer = client.post(reverse("supporters:support", kwargs={"slug": store.slug}),
                         {"amount": "50.00", "term": "none", "method": "card"})  # fmt: skip
    plan = Support.objects.get()
    page = answer.content.decode()
    assert 'id="card-payment"' in page and "pi_Recorded" in page and "https://js.stripe.com/v3/" in page
    assert "js.stripe.com" in answer["Content-Security-Policy"]
    assert plan.stripe_subscription_id and plan.status == Support.PENDING


def test_one_running_plan_per_supporter_and_storefront(store, fan):
    _bank(fan, store)
    with pytest.raises(services.SupportError, match="already support Portland Passive"):
        _bank(fan, store, amount="50.00")


# --- cancelling and the term --------------------------------------------------------------------------------------


def test_cancelling_a_standing_order_stops_it_and_says_to_stop_it_at_the_bank(client, store, fan):
    plan = _bank(fan, store)
    client.force_login(fan)
    page = client.post(reverse("supporters:support-cancel", kwargs={"pk": plan.pk}), follow=True).content.decode()
    assert f"Ask your bank to cancel the standing order with the reference {plan.bank_reference}" in page
    plan.refresh_from_db()
    assert plan.status == Support.ENDED and plan.cancelled_at and plan.next_due_date is None


def test_cancelling_a_paid_card_plan_ends_it_after_the_month_paid(client, store, fan, recorded_stripe):
    plan = services.start_support(user=fan, storefront=store, amount="10.00", term_months=None, method=Support.CARD)
    now = timezone.now()
    services.apply_invoice_paid(subscription_id=plan.stripe_subscription_id, invoice_id="in_1", amount=Decimal("10"),
                                currency="USD", paid_at=now, period_start=now,
                                period_end=now + datetime.timedelta(days=31), metadata={})  # fmt: skip
    client.force_login(fan)
    page = client.post(reverse("supporters:support-cancel", kwargs={"pk": plan.pk}), follow=True).content.decode()
    assert "your card is not charged again" in page
    assert [r["form"] for r in recorded_stripe.requests if r["path"].startswith("/v1/subscriptions/")] == [
        {"cancel_at_period_end": "true"}]  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == Support.ENDING and plan.cancelled_at
    # Stripe's word that it is set to end (cancel_at) keeps it ending, not active
    ends = now + datetime.timedelta(days=31)
    services.apply_subscription_changed(subscription_id=plan.stripe_subscription_id, status="active", cancel_at=ends,
                                        metadata={}, as_of=now)  # fmt: skip
    plan.refresh_from_db()
    assert plan.status == Support.ENDING


def test_a_card_plan_cancelled_before_its_first_payment_stops_at_once(client, store, fan, recorded_stripe):
    plan = services.start_support(user=fan, storefront=store, amount="10.00", term_months=24, method=Support.CARD)
    client.force_login(fan)
    page = client.post(reverse("supporters:support-cancel", kwargs={"pk": plan.pk}), follow=True).content.decode()
    assert "cancelled before its first payment: nothing was charged" in page
    assert [r["method"] for r in recorded_stripe.requests if r["path"].startswith("/v1/subscriptions/")] == ["DELETE"]
    plan.refresh_from_db()
    assert plan.status == Support.ENDED
    # Stripe's word that it is cancelled changes nothing more, and the supporter may start again
    services.apply_subscription_changed(subscription_id=plan.stripe_subscription_id, status="canceled", metadata={})
    plan.refresh_from_db()
    assert plan.status == Support.ENDED
    assert _bank(fan, store).status == Support.PENDING


def test_another_supporter_s_plan_answers_as_a_missing_one(client, store, fan):
    plan = _bank(fan, store)
    other = factories.UserFactory(email="other@example.com")
    client.force_login(other)
    for url in (reverse("supporters:support-detail", kwargs={"pk": plan.pk}),
                reverse("supporters:support-cancel", kwargs={"pk": plan.pk})):  # fmt: skip
        assert client.get(url).status_code in (404, 405) and client.post(url).status_code == 404
    plan.refresh_from_db()
    assert plan.status == Support.PENDING


def test_a_24_month_term_ends_after_its_24th_paid_month(store, fan, records_months):
    plan = _bank(fan, store, amount="10.00", term=24)
    for _ in range(23):
        services.record_bank_month(support=plan, amount="10.00", staff=records_months)
        plan.refresh_from_db()
    assert plan.status == Support.ACTIVE and plan.months.count() == 23
    services.record_bank_month(support=plan, amount="10.00", staff=records_months)
    plan.refresh_from_db()
    assert plan.status == Support.ENDED and plan.ended_at and plan.months.count() == 24
    with pytest.raises(services.SupportError):
        services.record_bank_month(support=plan, amount="10.00", staff=records_months)


# --- staff record a month; the reminder when one is missed -------------------------------------------------------


def test_staff_record_a_month_and_the_supporter_sees_one_month_paid(client, store, fan, records_months):
    plan = _bank(fan, store)
    client.force_login(records_months)
    listing = client.get(reverse("supporters:standing-orders")).content.decode()
    assert plan.bank_reference in listing
    url = reverse("supporters:support-month-received", kwargs={"pk": plan.pk})
    refused = client.post(url, {"amount": "25.00"}, follow=True).content.decode()
    assert "The plan is 20.00 USD a month, but 25.00 was given" in refused
    done = client.post(url, {"amount": "20.00"}, follow=True).content.decode()
    assert f"for {plan.bank_reference} and booked it in the ledger" in done
    client.force_login(fan)
    assert "1 month paid" in client.get(reverse("supporters:mine")).content.decode()


def test_a_missed_month_is_reminded_once(store, fan, settings):
    plan = _bank(fan, store)
    due = plan.next_due_date
    assert (
        services.remind_missed_months(today=due + datetime.timedelta(days=settings.SUPPORTER_REMIND_AFTER_DAYS - 1))
        == 0
    )
    later = due + datetime.timedelta(days=settings.SUPPORTER_REMIND_AFTER_DAYS)
    assert services.remind_missed_months(today=later) == 1
    assert services.remind_missed_months(today=later) == 0
    assert services.remind_missed_months(today=later + datetime.timedelta(days=3)) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["fan@example.com"]
    assert "Portland Passive" in mail.outbox[0].subject and plan.bank_reference in mail.outbox[0].body
    assert MissedMonthReminder.objects.get().due_date == due
    plan.refresh_from_db()
    assert plan.status == Support.PAST_DUE


# --- counts, and whose supporters an operator sees ----------------------------------------------------------------


def test_counts_are_in_10_dollar_units_and_mrr(store, records_months):
    for n, amount in enumerate(("10.00", "30.00", "100.00")):
        plan = _bank(factories.UserFactory(email=f"fan{n}@example.com"), store, amount=amount)
        services.record_bank_month(support=plan, amount=amount, staff=records_months)
    _bank(factories.UserFactory(email="waiting@example.com"), store, amount="50.00")  # nothing paid yet: not counted
    report = selectors.storefront_report(store)
    assert (report["supporters"], report["units"], report["mrr"]) == (3, 14, Decimal("140.00"))
    assert report["months_paid"] == 3 and report["total_paid"] == Decimal("140.00")
    rows, totals = selectors.staff_totals()
    assert [(row["storefront"], row["units"], row["mrr"]) for row in rows] == [(store, 14, Decimal("140.00"))]


def test_an_operator_sees_its_own_supporters_only_by_first_name_and_initial(client, store, fan, records_months):
    plan = _bank(fan, store, amount="30.00")
    services.record_bank_month(support=plan, amount="30.00", staff=records_months)
    other = factories.storefront("Lyon Fab", city="Lyon")
    services.set_offer(storefront=other, enabled=True, pitch="")
    _bank(factories.UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper"), other)

    client.force_login(store.operator)
    page = client.get(reverse("supporters:dashboard")).content.decode()
    assert "Ada L." in page and "fan@example.com" not in page and "Lovelace" not in page
    assert "Grace" not in page
    assert 'id="count-units">3<' in page and "$30.00" in page

    client.force_login(fan)  # no storefront: told so, nobody's supporters shown
    answer = client.get(reverse("supporters:dashboard"))
    assert answer.status_code == 404 and "You do not run a storefront" in answer.content.decode()
    # the staff pages are staff's
    client.force_login(store.operator)
    assert client.get(reverse("supporters:staff")).status_code == 403
    url = reverse("supporters:support-month-received", kwargs={"pk": plan.pk})
    assert client.post(url, {"amount": "30.00"}).status_code == 403 and SupportMonth.objects.count() == 1


def test_a_tier_that_may_not_offer_true_fans_gets_a_clear_message(client):
    from tiers.models import Tier

    no_information_goods = Tier.objects.create(code="materials", name="Materials only", rank=7,
                                               sells_level_1=False, sells_level_2=True)  # fmt: skip
    store = factories.storefront("Steel Works", city="Berlin")
    store.tier = no_information_goods
    store.save()
    client.force_login(store.operator)
    answer = client.post(reverse("supporters:dashboard"), {"enabled": "on", "pitch": "Back us"})
    page = answer.content.decode()
    assert answer.status_code == 400
    assert "The Materials only tier does not sell information goods (level 1), so it may not offer True Fans" in page
    assert not selectors.offering_storefronts().filter(pk=store.pk).exists()


def test_an_operator_opts_in_and_its_pitch_is_shown_escaped(client):
    store = factories.storefront("Garage Fab", tier="microfactory-2", city="Berlin")
    client.force_login(store.operator)
    answer = client.post(reverse("supporters:dashboard"), {"enabled": "on", "pitch": "<script>alert(1)</script>"})
    assert answer.status_code == 302
    page = client.get(reverse("supporters:true-fans")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    too_long = client.post(reverse("supporters:dashboard"), {"enabled": "on", "pitch": "x" * 501})
    assert too_long.status_code == 400


def test_the_storefront_page_stops_linking_to_its_plans_once_the_operator_opts_out(client, store):
    url = store.get_absolute_url()
    support_url = reverse("supporters:support", kwargs={"slug": store.slug})
    assert support_url in client.get(url).content.decode()
    assert support_url in client.get(url).content.decode()  # kept in the page cache for everyone

    services.set_offer(storefront=store, enabled=False, pitch="")

    assert support_url not in client.get(url).content.decode()  # the change retired the stored page
    assert "Portland Passive" not in client.get(reverse("supporters:true-fans")).content.decode()
    signed_in = factories.UserFactory(email="late@example.com")
    client.force_login(signed_in)
    answer = client.get(support_url)
    assert answer.status_code == 404 and "does not take True Fans supporters" in answer.content.decode()
