"""The operator's side: accept, quote (paid through checkout, split by the ledger), close; a take-back's materials and
its credit, booked once; the unit's state along the way."""

import io
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from marketplace.lifecycle.models import Unit
from marketplace.stewardship import services
from marketplace.stewardship.models import ServiceRequest, TakeBackCredit
from tests import factories


def _accepted(world, kind="repair"):
    request = services.ask(unit=world["unit"], user=world["owner"], kind=kind, description="It rattles",
                           location="Berlin, DE")  # fmt: skip
    return services.accept(request=request, storefront=world["berlin"])


@pytest.mark.django_db
def test_a_repair_puts_the_unit_under_repair_then_back_in_service(world, client):
    request = _accepted(world)
    world["unit"].refresh_from_db()
    assert world["unit"].state == Unit.UNDER_REPAIR
    services.close(request=request, storefront=world["berlin"], outcome="New Y-axis bearings")
    world["unit"].refresh_from_db()
    assert world["unit"].state == Unit.IN_SERVICE
    page = client.get(reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})).content.decode()
    assert "New Y-axis bearings" in page and "Berlin Fab" in page


@pytest.mark.django_db
def test_a_quote_not_paid_blocks_closing(world):
    request = _accepted(world)
    services.quote(request=request, storefront=world["berlin"], amount=Decimal("80.00"), covers="Bearings, 2 h")
    with pytest.raises(services.StewardshipError, match="not paid the quote"):
        services.close(request=request, storefront=world["berlin"], outcome="Done")


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["-1", "0", "1000000000", "1.555", "text"])
def test_quote_form_refuses_bad_amounts_and_keeps_the_text(world, client, amount):
    request = _accepted(world)
    client.force_login(world["berlin"].operator)
    response = client.post(reverse("stewardship:operator-request", kwargs={"pk": request.pk}),
                           {"action": "quote", "quote-amount": amount, "quote-covers": "Bearings and labour"})
    assert response.status_code == 400
    assert "Bearings and labour" in response.content.decode()
    request.refresh_from_db()
    assert request.quote_amount is None


@pytest.mark.django_db
def test_the_quote_is_paid_through_checkout_and_split_by_the_ledger(world, client, django_capture_on_commit_callbacks):
    from marketplace.revenue.models import Account, Posting

    request = _accepted(world)
    services.quote(request=request, storefront=world["berlin"], amount=Decimal("80.00"), covers="Bearings, 2 h")
    # a stranger cannot put it in a basket from the request page
    stranger = factories.UserFactory()
    client.force_login(stranger)
    url = reverse("stewardship:request", kwargs={"serial": world["unit"].serial, "pk": request.pk})
    assert client.post(url, {"action": "pay"}).status_code == 404
    # the owner can, and checks out like any order
    client.force_login(world["owner"])
    assert client.post(url, {"action": "pay"}).url == reverse("basket:summary")
    order = factories.checkout([], capture=django_capture_on_commit_callbacks, client=client)
    assert order.total_incl_tax == Decimal("80.00")
    mail.outbox.clear()
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    request.refresh_from_db()
    assert request.paid_order == order and request.paid_at is not None
    # a service done on the unit: nothing to download, so no download e-mail with a link that leads nowhere
    assert not [m.subject for m in mail.outbox if "download" in m.subject.lower()]
    assert order.lines.get().fulfilment.state == "done"
    postings = Posting.objects.filter(entry__order=order)
    assert postings.exists()
    assert not postings.filter(account__kind=Account.CONTRIBUTOR).exists()  # no design: no contributors' share
    assert postings.filter(account__kind=Account.OPERATOR, partner=world["berlin"].partner).exists()
    call_command("verify_ledger", stdout=io.StringIO())  # raises on drift
    # the one-off offer is withdrawn: not bought twice
    assert client.post(url, {"action": "pay"}).status_code == 302
    request.quote_offer.refresh_from_db()
    assert request.quote_offer.withdrawn_at is not None
    # now it can be closed
    services.close(request=request, storefront=world["berlin"], outcome="New bearings")
    assert "New bearings" in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_quote_is_bought_once_never_three_times_over(world, client, django_capture_on_commit_callbacks):
    """A stranger's walk paid a $25 quote three times over by raising the basket's quantity to 3."""
    request = _accepted(world)
    services.quote(request=request, storefront=world["berlin"], amount=Decimal("25.00"), covers="Bearings")
    client.force_login(world["owner"])
    client.post(reverse("stewardship:request", kwargs={"serial": world["unit"].serial, "pk": request.pk}),
                {"action": "pay"})  # fmt: skip
    from marketplace.basket.models import Basket

    line = Basket.objects.get(owner=world["owner"], status="Open").lines.get()
    formset = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    page = client.post(reverse("basket:summary"), {**formset, "form-0-id": line.pk, "form-0-quantity": 3}, follow=True)
    assert "bought once" in page.content.decode()
    line.refresh_from_db()
    assert line.quantity == 1
    type(line).objects.filter(pk=line.pk).update(quantity=3)  # however it got there, checkout refuses it
    from oscar.core.loading import get_model

    orders = get_model("order", "Order").objects.count()
    factories.checkout([], capture=django_capture_on_commit_callbacks, client=client)  # sent back to the basket
    assert get_model("order", "Order").objects.count() == orders
    assert "bought once" in client.get(reverse("basket:summary")).content.decode()


@pytest.mark.django_db
def test_a_take_back_recycles_the_unit_records_streams_and_credits_once(world, client):
    request = _accepted(world, kind="take_back")
    world["unit"].refresh_from_db()
    assert world["unit"].state == Unit.TAKEN_BACK
    materials = {"steel": Decimal("12.5"), "aluminium": Decimal("3"), "plastics": Decimal("0.75")}
    mail.outbox.clear()
    with pytest.raises(services.StewardshipError):  # more than the unit's price paid
        services.close(request=request, storefront=world["berlin"], outcome="Recycled", materials=materials,
                       credit=services.unit_price_paid(world["unit"]) + 1)  # fmt: skip
    for _attempt in range(2):  # closing twice
        services.close(request=request, storefront=world["berlin"], outcome="Recycled", materials=materials,
                       credit=Decimal("5.00"))  # fmt: skip
    assert TakeBackCredit.objects.count() == 1
    credit = TakeBackCredit.objects.get()
    assert credit.amount == Decimal("5.00") and credit.owner == world["owner"]
    world["unit"].refresh_from_db()
    assert world["unit"].state == Unit.RECYCLED and world["unit"].retired_at
    assert sorted(request.materials.values_list("stream", flat=True)) == ["aluminium", "plastics", "steel"]
    # the owner sees the code on the request page
    client.force_login(world["owner"])
    page = client.get(reverse("stewardship:request", kwargs={"serial": world["unit"].serial, "pk": request.pk}))
    assert credit.voucher.code in page.content.decode()


@pytest.mark.django_db
def test_the_credit_voucher_works_once_and_only_in_its_owners_basket(world):
    from oscar.core.loading import get_class, get_model

    Basket, strategy = get_model("basket", "Basket"), get_class("partner.strategy", "Selector")().strategy()

    request = _accepted(world, kind="take_back")
    services.close(request=request, storefront=world["berlin"], outcome="Recycled", credit=Decimal("5.00"))
    credit = TakeBackCredit.objects.get()
    offer = credit.voucher.offers.get()
    condition = offer.condition.proxy()
    theirs = Basket.objects.create(owner=world["owner"])
    theirs.strategy = strategy
    theirs.add_product(world["printer"], 1)
    someone = Basket.objects.create(owner=factories.UserFactory())
    someone.strategy = strategy
    someone.add_product(world["printer"], 1)
    assert condition.is_satisfied(offer, theirs)
    assert not condition.is_satisfied(offer, someone)
    assert credit.voucher.usage == credit.voucher.SINGLE_USE


@pytest.mark.django_db
def test_double_posted_close_books_one_voucher(world, client):
    request = _accepted(world, kind="take_back")
    client.force_login(world["berlin"].operator)
    url = reverse("stewardship:operator-request", kwargs={"pk": request.pk})
    data = {"action": "close", "close-outcome": "Recycled", "close-steel": "10", "close-credit": "4"}
    client.post(url, data)
    client.post(url, data)
    assert TakeBackCredit.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kg", ["-1", "1000000000", "text"])
def test_material_streams_are_bounded(world, client, kg):
    request = _accepted(world, kind="take_back")
    client.force_login(world["berlin"].operator)
    response = client.post(reverse("stewardship:operator-request", kwargs={"pk": request.pk}),
                           {"action": "close", "close-outcome": "Recycled, frame kept", "close-steel": kg})
    assert response.status_code == 400 and "Recycled, frame kept" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ServiceRequest.ACCEPTED


@pytest.mark.django_db
def test_the_owner_may_cancel_and_the_unit_is_back_in_service(world):
    request = _accepted(world)
    services.cancel(request=request, user=world["owner"])
    world["unit"].refresh_from_db()
    assert world["unit"].state == Unit.IN_SERVICE
    with pytest.raises(services.StewardshipError):
        services.cancel(request=request, user=world["owner"])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_closes_book_one_credit(seeded):
    from tests.stewardship.conftest import make_unit

    design = factories.design(name="Race printer")
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    factories.certify(design, holders=[berlin.operator])
    owner = factories.UserFactory()
    unit = make_unit(owner=owner, design=design, maker=berlin)
    request = services.ask(unit=unit, user=owner, kind="take_back", description="End of life", location="Berlin, DE")
    services.accept(request=request, storefront=berlin)
    barrier, errors = threading.Barrier(2), []

    def close():
        try:
            barrier.wait()
            services.close(request=request, storefront=berlin, outcome="Recycled", credit=Decimal("2.50"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert TakeBackCredit.objects.filter(request=request).count() == 1
    from oscar.core.loading import get_model

    assert get_model("voucher", "Voucher").objects.filter(name__startswith="Take-back credit").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["Handed back to ada@example.com", "Call me on +49 30 1234 5678 for the parts"])
def test_what_was_done_is_public_so_it_takes_no_email_address_or_phone_number(world, client, outcome):
    """A stranger's walk put the owner's e-mail address on the unit's public page through "What was done"."""
    request = _accepted(world)
    client.force_login(world["berlin"].operator)
    response = client.post(reverse("stewardship:operator-request", kwargs={"pk": request.pk}),
                           {"action": "close", "close-outcome": outcome})  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "public" in page and outcome.split()[0] in page  # says why, keeps the text
    request.refresh_from_db()
    assert request.closed_at is None
