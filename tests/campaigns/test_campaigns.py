"""The pooled marketing fund at work: storefronts opt in, members propose campaigns, staff approve and record what
they spend out of the pool through the ledger, and orders are credited to the campaign whose link brought them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.campaigns import services
from marketplace.campaigns.attribution import COOKIE
from marketplace.campaigns.models import Campaign, CampaignSpending, OrderAttribution, Participation
from marketplace.revenue.models import Account, JournalEntry
from marketplace.revenue.selectors import balance
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _pool() -> Decimal:
    return balance(Account.objects.get(kind=Account.MARKETING_POOL))


@pytest.fixture
def staff():
    return factories.staff("campaigns.view_campaign", "campaigns.change_campaign", "campaigns.add_campaignspending",
                           email="marketing@example.com")  # fmt: skip


@pytest.fixture
def pool(two_operators):
    """Berlin and Lyon in the marketing pool."""
    for store in (two_operators["berlin"], two_operators["lyon"]):
        services.join_pool(storefront=store)
    return two_operators


def _campaign(store, *, staff=None, budget="500.00", title="Solar summer", description="Make **sun** power.",
              starts=-1, ends=30):  # fmt: skip
    campaign = services.propose_campaign(storefront=store, title=title, description=description,
                                         budget=Decimal(budget), starts_on=TODAY() + timedelta(days=starts),
                                         ends_on=TODAY() + timedelta(days=ends))  # fmt: skip
    if staff is not None:
        services.approve_campaign(campaign=campaign, staff=staff)
        campaign.refresh_from_db()
    return campaign


@pytest.fixture
def campaign(pool, staff):
    return _campaign(pool["berlin"], staff=staff)


@pytest.fixture
def funded_pool(pool, django_capture_on_commit_callbacks):
    """A paid order of Lyon's mill (1,400.00 + 4.00 shipping): 5% of the goods go into the marketing pool."""
    capture = django_capture_on_commit_callbacks
    factories.pay_offline(factories.checkout([pool["mill"]], capture=capture), capture=capture)
    assert _pool() == Decimal("70.00")
    return pool


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


# --- the pool and proposals ----------------------------------------------------------------------------------------


def test_only_pool_members_propose_campaigns(two_operators):
    berlin = two_operators["berlin"]
    browser = _signed_in(berlin.operator)
    form = {"title": "Solar summer", "description": "Sun.", "budget": "100.00",
            "starts_on": TODAY().isoformat(), "ends_on": (TODAY() + timedelta(days=9)).isoformat()}  # fmt: skip

    refused = browser.post(reverse("campaigns:propose"), form, follow=True)
    assert "Only members of the marketing pool propose campaigns: join the pool first." in refused.content.decode()
    assert not Campaign.objects.exists()
    with pytest.raises(ValidationError):
        services.propose_campaign(storefront=berlin, title="x", description="x", budget=Decimal(1),
                                  starts_on=TODAY(), ends_on=TODAY())  # fmt: skip

    browser.post(reverse("campaigns:pool-join"))
    proposed = browser.post(reverse("campaigns:propose"), form, follow=True)
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.proposed_by) == (Campaign.PROPOSED, berlin)
    assert "is with staff" in proposed.content.decode()
    page = browser.get(reverse("campaigns:pool")).content.decode()
    assert "Solar summer" in page and "Proposed" in page and "You are in the pool" in page

    # leaving: no more proposals
    browser.post(reverse("campaigns:pool-leave"))
    assert "You are not in the pool" in browser.get(reverse("campaigns:pool")).content.decode()
    browser.post(reverse("campaigns:propose"), form)
    assert Campaign.objects.count() == 1


def test_a_pending_storefront_cannot_join(db):
    store = factories.storefront("Pending Fab", active=False)
    with pytest.raises(ValidationError, match="Only an active storefront"):
        services.join_pool(storefront=store)


def test_staff_approve_with_every_member_taking_part_and_reject_with_a_reason(pool, staff):
    berlin, lyon = pool["berlin"], pool["lyon"]
    approved, rejected = _campaign(berlin, title="Solar summer"), _campaign(lyon, title="Billboards")
    browser = _signed_in(staff)
    assert "Solar summer" in browser.get(reverse("campaigns:staff")).content.decode()

    browser.post(reverse("campaigns:staff-decide", kwargs={"pk": approved.pk, "action": "approve"}), {"reason": ""})
    refused = browser.post(reverse("campaigns:staff-decide", kwargs={"pk": rejected.pk, "action": "reject"}),
                           {"reason": ""}, follow=True)  # fmt: skip
    assert "Say why the proposal is rejected" in refused.content.decode()
    browser.post(reverse("campaigns:staff-decide", kwargs={"pk": rejected.pk, "action": "reject"}),
                 {"reason": "Billboards reach no makers; try a workshop tour."})  # fmt: skip

    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert (approved.status, approved.decided_by) == (Campaign.APPROVED, staff)
    assert set(Participation.objects.filter(campaign=approved).values_list("storefront__name", flat=True)) == {
        "Berlin Fab", "Lyon Fab"}  # fmt: skip
    assert rejected.status == Campaign.REJECTED
    # the proposer is told, on its own page
    lyon_page = _signed_in(lyon.operator).get(reverse("campaigns:pool")).content.decode()
    assert "Rejected" in lyon_page and "Billboards reach no makers; try a workshop tour." in lyon_page
    # deciding twice is refused in words
    again = browser.post(reverse("campaigns:staff-decide", kwargs={"pk": rejected.pk, "action": "approve"}),
                         follow=True)  # fmt: skip
    assert "is rejected already" in again.content.decode()


def test_operators_cannot_decide_and_staff_without_the_permission_are_told_which(pool):
    proposal = _campaign(pool["berlin"])
    url = reverse("campaigns:staff-decide", kwargs={"pk": proposal.pk, "action": "approve"})
    assert _signed_in(pool["berlin"].operator).post(url).status_code == 403
    plain = factories.UserFactory(is_staff=True, email="plain@example.com")
    refused = _signed_in(plain).post(url)
    assert refused.status_code == 403 and "Can change campaign" in refused.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == Campaign.PROPOSED


def test_another_operators_proposal_is_the_missing_answer(pool):
    theirs = _campaign(pool["lyon"], title="Lyon's secret plan")
    browser = _signed_in(pool["berlin"].operator)
    assert browser.get(reverse("campaigns:operator-campaign", kwargs={"pk": theirs.pk})).status_code == 404
    assert browser.get(reverse("campaigns:operator-campaign", kwargs={"pk": 999999})).status_code == 404
    own = _signed_in(pool["lyon"].operator).get(reverse("campaigns:operator-campaign", kwargs={"pk": theirs.pk}))
    assert own.status_code == 200 and "Lyon&#x27;s secret plan" in own.content.decode()


# --- spending --------------------------------------------------------------------------------------------------------


def test_spending_books_the_pool_once_and_the_ledger_stays_clean(funded_pool, staff, capsys):
    campaign = _campaign(funded_pool["berlin"], staff=staff, budget="60.00")
    browser = _signed_in(staff)
    url = reverse("campaigns:staff-spend", kwargs={"pk": campaign.pk})

    booked = browser.post(url, {"amount": "25.50", "paid_for": "Flyers for the maker fair"}, follow=True)
    assert "is booked out of the marketing pool" in booked.content.decode()
    spending = CampaignSpending.objects.get()
    entry = JournalEntry.objects.get(reference=f"campaign-spend:{spending.pk}")
    assert spending.entry == entry and entry.kind == JournalEntry.SPENDING
    assert "Solar summer" in entry.memo and "Flyers for the maker fair" in entry.memo
    assert _pool() == Decimal("44.50")

    # the same spending booked again (a retry) books nothing more
    from marketplace.revenue.funds import spend_from_fund

    assert spend_from_fund(fund=Account.MARKETING_POOL, amount=Decimal("25.50"), reference=spending.reference,
                           memo="again") == entry  # fmt: skip
    assert _pool() == Decimal("44.50")
    page = browser.get(reverse("campaigns:staff-campaign", kwargs={"pk": campaign.pk})).content.decode()
    assert "Flyers for the maker fair" in page and f"campaign-spend:{spending.pk}" in page
    call_command("verify_ledger")
    assert "zero drift" in capsys.readouterr().out


def test_spending_past_the_budget_is_refused(funded_pool, staff):
    campaign = _campaign(funded_pool["berlin"], staff=staff, budget="30.00")
    browser = _signed_in(staff)
    url = reverse("campaigns:staff-spend", kwargs={"pk": campaign.pk})
    browser.post(url, {"amount": "20.00", "paid_for": "Stickers"})
    refused = browser.post(url, {"amount": "10.01", "paid_for": "More stickers"})
    assert "That passes the campaign&#x27;s budget of 30.00: 10.00 is left to spend, so record at most that" in (
        refused.content.decode()
    )
    assert CampaignSpending.objects.count() == 1 and _pool() == Decimal("50.00")


def test_spending_past_what_the_pool_holds_is_refused(funded_pool, staff):
    campaign = _campaign(funded_pool["berlin"], staff=staff, budget="500.00")
    refused = _signed_in(staff).post(reverse("campaigns:staff-spend", kwargs={"pk": campaign.pk}),
                                     {"amount": "70.01", "paid_for": "A radio spot"})  # fmt: skip
    assert "The Marketing pool holds 70.00; it cannot spend 70.01." in refused.content.decode()
    assert not CampaignSpending.objects.exists() and _pool() == Decimal("70.00")


def test_a_proposal_spends_nothing(funded_pool, staff):
    proposal = _campaign(funded_pool["berlin"])
    with pytest.raises(ValidationError, match="only an approved campaign spends"):
        services.record_spending(campaign=proposal, amount=Decimal("5"), paid_for="x", staff=staff)


@pytest.mark.parametrize("amount, error", [
    ("-1", "at least 0.01"), ("0", "at least 0.01"), ("1000000000", "up to 1,000,000.00"),
    ("1.555", "two decimals"), ("ten", "as a number"), ("", "This field is required"),
])  # fmt: skip
def test_spending_form_refuses_what_is_not_an_amount(funded_pool, staff, amount, error):
    campaign = _campaign(funded_pool["berlin"], staff=staff)
    page = _signed_in(staff).post(reverse("campaigns:staff-spend", kwargs={"pk": campaign.pk}),
                                  {"amount": amount, "paid_for": "Flyers"})  # fmt: skip
    assert page.status_code == 200 and error in page.content.decode()
    assert not CampaignSpending.objects.exists()


def test_one_and_a_half_is_an_amount(funded_pool, staff):
    campaign = _campaign(funded_pool["berlin"], staff=staff)
    _signed_in(staff).post(reverse("campaigns:staff-spend", kwargs={"pk": campaign.pk}),
                           {"amount": "1.5", "paid_for": "A stamp"})  # fmt: skip
    assert CampaignSpending.objects.get().amount == Decimal("1.50")


@pytest.mark.parametrize("budget, error", [
    ("-1", "at least 0.01"), ("0", "at least 0.01"), ("1000000000", "up to 1,000,000.00"),
    ("12.345", "two decimals"), ("lots", "as a number"),
])  # fmt: skip
def test_proposal_form_refuses_a_budget_that_is_not_an_amount(pool, budget, error):
    page = _signed_in(pool["berlin"].operator).post(reverse("campaigns:propose"), {
        "title": "Solar", "description": "Sun.", "budget": budget, "starts_on": TODAY().isoformat(),
        "ends_on": TODAY().isoformat()})  # fmt: skip
    assert page.status_code == 200 and error in page.content.decode()
    assert not Campaign.objects.exists()


def test_proposal_form_refuses_an_end_before_the_start(pool):
    page = _signed_in(pool["berlin"].operator).post(reverse("campaigns:propose"), {
        "title": "Solar", "description": "Sun.", "budget": "1.5", "starts_on": TODAY().isoformat(),
        "ends_on": (TODAY() - timedelta(days=1)).isoformat()})  # fmt: skip
    assert "A campaign ends on or after the day it starts." in page.content.decode()
    assert not Campaign.objects.exists()


# --- attribution ---------------------------------------------------------------------------------------------------


def test_a_referral_link_sets_the_cookie_redirects_to_the_bare_page_and_credits_the_order(
    campaign, pool, django_capture_on_commit_callbacks
):
    shopper = Client()
    arrived = shopper.get(f"/stores/lyon-fab/?ref={campaign.referral_code.lower()}&page=1")
    assert arrived.status_code == 302 and arrived["Location"] == "/stores/lyon-fab/?page=1"
    assert COOKIE in arrived.cookies and arrived.cookies[COOKIE]["max-age"] == 30 * 24 * 3600

    order = _guest_checkout(shopper, pool["mill"], django_capture_on_commit_callbacks)
    attribution = OrderAttribution.objects.get(order=order)
    assert (attribution.campaign, attribution.how) == (campaign, OrderAttribution.REFERRAL)


def _guest_checkout(browser, offer, capture):
    from tests.checkout.test_checkout import ADDRESS

    browser.post(reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": 1, "offer": offer.pk})
    browser.post(reverse("checkout:index"), {"username": "guest@example.com", "options": "anonymous"})
    browser.post(reverse("checkout:shipping-address"), ADDRESS)
    browser.get(reverse("checkout:shipping-method"), follow=True)
    browser.post(reverse("checkout:preview"), {"payment_method": "bank-transfer"})
    with capture(execute=True):
        assert browser.post(reverse("checkout:preview"), {"action": "place_order"}).status_code == 302
    from oscar.core.loading import get_model

    return get_model("order", "Order").objects.latest("pk")


def test_utm_parameters_credit_a_signed_in_shoppers_order_with_their_source(
    campaign, pool, django_capture_on_commit_callbacks
):
    shopper = factories.UserFactory(email="fan@example.com")
    browser = _signed_in(shopper)
    browser.get(f"/?utm_source=newsletter&utm_medium=email&utm_campaign={campaign.slug}")
    order = factories.checkout([pool["printer"]], capture=django_capture_on_commit_callbacks, client=browser)
    attribution = order.campaign_attribution
    assert (attribution.campaign, attribution.how) == (campaign, OrderAttribution.UTM)
    assert (attribution.utm_source, attribution.utm_medium, attribution.utm_campaign) == (
        "newsletter", "email", campaign.slug)  # fmt: skip


def test_the_last_campaign_link_followed_wins(campaign, pool, staff, django_capture_on_commit_callbacks):
    later = _campaign(pool["lyon"], staff=staff, title="Workshop tour")
    shopper = Client()
    shopper.get(f"/?ref={campaign.referral_code}")
    shopper.get(f"/campaigns/?ref={later.referral_code}")
    order = _guest_checkout(shopper, pool["mill"], django_capture_on_commit_callbacks)
    assert order.campaign_attribution.campaign == later


@pytest.mark.parametrize("link", ["/?ref=NOSUCH", "/?utm_campaign=no-such-campaign&utm_source=x"])
def test_an_unknown_code_is_ignored_silently(campaign, pool, django_capture_on_commit_callbacks, link):
    shopper = Client()
    arrived = shopper.get(link)
    assert arrived.status_code == 302 and arrived["Location"] == "/" and COOKIE not in arrived.cookies
    assert shopper.get("/").status_code == 200
    order = _guest_checkout(shopper, pool["mill"], django_capture_on_commit_callbacks)
    assert not OrderAttribution.objects.filter(order=order).exists()


def test_an_ended_or_unapproved_campaign_credits_nothing(campaign, pool, django_capture_on_commit_callbacks):
    proposal = _campaign(pool["lyon"], title="Not yet decided")
    shopper = Client()
    assert COOKIE not in shopper.get(f"/?ref={proposal.referral_code}").cookies
    shopper.get(f"/?ref={campaign.referral_code}")
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=TODAY() - timedelta(days=1))  # it ended since
    order = _guest_checkout(shopper, pool["mill"], django_capture_on_commit_callbacks)
    assert not OrderAttribution.objects.filter(order=order).exists()


def test_a_forged_or_old_cookie_credits_nothing(campaign, pool, django_capture_on_commit_callbacks):
    shopper = Client()
    shopper.cookies[COOKIE] = f'{{"campaign_id": {campaign.pk}, "how": "referral", "at": "2026-01-01T00:00:00"}}'
    order = _guest_checkout(shopper, pool["mill"], django_capture_on_commit_callbacks)
    assert not OrderAttribution.objects.filter(order=order).exists()


def test_an_order_is_credited_once(campaign, pool, staff, django_capture_on_commit_callbacks):
    shopper = Client()
    shopper.get(f"/?ref={campaign.referral_code}")
    order = _guest_checkout(shopper, pool["mill"], django_capture_on_commit_callbacks)
    other = _campaign(pool["lyon"], staff=staff, title="Another")
    from marketplace.campaigns.attribution import Touch

    touch = Touch(campaign_id=other.pk, how=OrderAttribution.REFERRAL, at=timezone.now().isoformat())
    assert services.attribute_order(order=order, touch=touch).campaign == campaign
    assert OrderAttribution.objects.filter(order=order).count() == 1


def test_a_campaign_link_on_a_cached_page_still_sets_the_cookie_and_keeps_one_copy(campaign, settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    Client().get("/stores/")  # stored
    keys_before = len(cache._cache) if hasattr(cache, "_cache") else None
    for code in (campaign.referral_code, "RANDOM1", "RANDOM2"):
        arrived = Client().get(f"/stores/?ref={code}")
        assert arrived.status_code == 302 and arrived["Location"] == "/stores/"
    assert COOKIE in Client().get(f"/stores/?ref={campaign.referral_code}").cookies
    if keys_before is not None:
        assert len(cache._cache) == keys_before  # no copy of the page per code


# --- returns --------------------------------------------------------------------------------------------------------


def test_each_operator_sees_the_campaigns_totals_and_only_its_own_revenue(
    campaign, pool, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    shopper = Client()
    shopper.get(f"/?ref={campaign.referral_code}")
    lyon_order = _guest_checkout(shopper, pool["mill"], capture)  # Lyon: 1,400.00
    other = Client()
    other.get(f"/?ref={campaign.referral_code}")
    berlin_order = _guest_checkout(other, pool["printer"], capture)  # Berlin: 900.00
    factories.checkout([pool["printer"]], capture=capture)  # not brought by the campaign

    # waiting for their bank transfers, the orders are no return yet: either may still be cancelled
    waiting = _signed_in(pool["berlin"].operator).get(reverse("campaigns:pool")).content.decode()
    assert '<p class="h5 mb-0 returns-orders">0</p>' in waiting and "2,300.00" not in waiting
    for order in (lyon_order, berlin_order):
        factories.pay_offline(order, capture=capture)

    berlin = _signed_in(pool["berlin"].operator).get(reverse("campaigns:pool")).content.decode()
    assert '<p class="h5 mb-0 returns-orders">2</p>' in berlin
    assert "2,300.00" in berlin  # across the pool
    assert '<span class="returns-own-revenue">$900.00</span>' in berlin
    assert '<span class="returns-own-orders">1</span>' in berlin
    assert "1,400.00" not in berlin  # Lyon's own revenue is never shown to Berlin
    assert "<svg" in berlin and "Your revenue" in berlin
    assert "returns-ratio" not in berlin  # nothing spent yet: no ratio to show

    lyon = _signed_in(pool["lyon"].operator).get(reverse("campaigns:pool")).content.decode()
    assert '<span class="returns-own-revenue">$1,400.00</span>' in lyon
    assert "$900.00" not in lyon


# --- public pages ---------------------------------------------------------------------------------------------------


def test_the_campaigns_list_shows_the_story_as_text_not_markdown(pool, staff):
    _campaign(pool["berlin"], staff=staff, description="Flyers at **three maker fairs** & <b>a film</b>")
    html = Client().get(reverse("campaigns:list")).content.decode()
    assert "Flyers at three maker fairs &amp; a film" in html and "**" not in html and "<b>a film" not in html


def test_the_campaign_page_promotes_only_mark_holders_and_sanitises_the_story(pool, staff):
    story = "**Sun** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=y>"
    campaign = _campaign(pool["berlin"], staff=staff, description=story)
    page = Client().get(campaign.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    story = html.split('id="campaign-story">')[1].split("</div>")[0]
    assert "<strong>Sun</strong>" in story
    assert "<script" not in story and "javascript:" not in story and "onerror" not in story
    assert "<script>alert(1)" not in html  # nor anywhere else on the page (escaped where shown as text)
    assert "Lyon Fab" in html  # holds the CNC mill's mark
    assert "Berlin Fab" not in html.split('id="campaign-storefronts"')[1]  # takes part, holds no mark
    assert f"?ref={campaign.referral_code}" in html

    listing = Client().get(reverse("campaigns:list")).content.decode()
    assert "Solar summer" in listing


def test_proposals_and_rejected_campaigns_are_not_public(pool, staff):
    proposal = _campaign(pool["berlin"], title="Secret")
    assert Client().get(proposal.get_absolute_url()).status_code == 404
    assert "Secret" not in Client().get(reverse("campaigns:list")).content.decode()


def test_current_campaigns_come_first(pool, staff):
    _campaign(pool["berlin"], staff=staff, title="Upcoming", starts=10, ends=20)
    _campaign(pool["berlin"], staff=staff, title="Running", starts=-5, ends=5)
    over = _campaign(pool["berlin"], staff=staff, title="Over", starts=-1, ends=0)
    Campaign.objects.filter(pk=over.pk).update(starts_on=TODAY() - timedelta(days=40),
                                               ends_on=TODAY() - timedelta(days=30))  # fmt: skip
    html = Client().get(reverse("campaigns:list")).content.decode()
    assert html.index("Running") < html.index("Upcoming") < html.index("Over")


def test_staff_change_the_referral_code(campaign, staff):
    browser = _signed_in(staff)
    url = reverse("campaigns:staff-code", kwargs={"pk": campaign.pk})
    refused = browser.post(url, {"referral_code": "no spaces!"})
    assert "Use 4 to 16 letters and digits" in refused.content.decode()
    browser.post(url, {"referral_code": "solar26"})
    campaign.refresh_from_db()
    assert campaign.referral_code == "SOLAR26"


def test_leaving_the_pool_withdraws_from_running_campaigns(campaign, pool):
    services.leave_pool(storefront=pool["lyon"])
    html = Client().get(campaign.get_absolute_url()).content.decode()
    assert "Lyon Fab" not in html
    services.join_pool(storefront=pool["lyon"])
    assert "Lyon Fab" in Client().get(campaign.get_absolute_url()).content.decode()


def test_a_member_steps_out_of_one_campaign_and_back_in(campaign, pool):
    lyon = _signed_in(pool["lyon"].operator)
    url = reverse("campaigns:operator-campaign", kwargs={"pk": campaign.pk})
    stepped = lyon.post(url, {"participation": "step-out"}, follow=True).content.decode()
    assert "You no longer take part in" in stepped and "Take part" in stepped
    assert "Lyon Fab" not in Client().get(campaign.get_absolute_url()).content.decode()
    assert "Approved campaigns you do not take part in" in lyon.get(reverse("campaigns:pool")).content.decode()
    lyon.post(url, {"participation": "take-part"})
    assert "Lyon Fab" in Client().get(campaign.get_absolute_url()).content.decode()
    # Berlin, which proposed it, left the pool: taking part again is refused in words
    services.leave_pool(storefront=pool["berlin"])
    refused = _signed_in(pool["berlin"].operator).post(url, {"participation": "take-part"}, follow=True)
    assert "Join the marketing pool first" in refused.content.decode()
