"""A signed-in shopper checks out on one page too (issue 24): the checkout's own address shows their saved addresses
with the default (else the most used) chosen, a new address to type instead, how to pay, the lines and the totals;
one submission places the order. Oscar's steps stay for whoever opens them (test_checkout)."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from tests import factories
from tests.checkout.test_checkout import ADDRESS

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

pytestmark = pytest.mark.django_db
NEW_ADDRESS = {**ADDRESS, "first_name": "Grace", "line1": "7 Forge Road", "postcode": "10115"}


def _save_address(user, **changes):
    fields = {key: value for key, value in {**ADDRESS, **changes}.items() if key != "country"}
    return UserAddress.objects.create(user=user, country_id=ADDRESS["country"], **fields)


@pytest.fixture
def shopper(client):
    user = factories.UserFactory(email="maker@example.com")
    client.force_login(user)
    return user


def _fill_basket(client, product=None):
    product = product or factories.product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    return product


def _chosen(page) -> str | None:
    found = re.search(r'name="ship_to" id="ship-to-[\w]+" value="(\w+)" checked', page)
    return found[1] if found else None


def test_proceeding_to_checkout_shows_one_page_with_the_default_address_chosen(client, shopper):
    # given a shopper with two saved addresses, the second their default for shipping, and a basket
    _save_address(shopper, line1="1 Workshop Lane")
    default = _save_address(shopper, line1="9 Harbour Street", is_default_for_shipping=True)
    _fill_basket(client)

    # when they proceed to checkout from the basket
    page = client.get(reverse("checkout:index"))

    # then one page shows both addresses (the default chosen), a new address to type, how to pay, lines and total
    content = page.content.decode()
    assert page.status_code == 200 and "Where should we ship it?" in content
    assert "1 Workshop Lane" in content and "9 Harbour Street" in content and "Ship to a new address" in content
    assert _chosen(content) == str(default.pk)
    assert 'value="bank-transfer"' in content and 'id="place-order"' in content
    assert "Seed potatoes, 10 kg" in content and "$37.00" in content
    assert "Check out as a guest" not in content and "maker@example.com" in content


def test_one_submission_ships_to_the_chosen_saved_address(client, shopper, django_capture_on_commit_callbacks):
    address = _save_address(shopper)
    product = _fill_basket(client)

    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post(reverse("checkout:index"), {"ship_to": address.pk, "payment_method": "bank-transfer"})

    assert placed.status_code == 302 and placed["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get(user=shopper)
    assert order.shipping_address.line1 == "1 Workshop Lane" and order.shipping_address.country_id == "US"
    assert order.sources.get().source_type.code == "bank-transfer" and order.status == "Pending"
    assert product.stockrecords.get().net_stock_level == 3
    address.refresh_from_db()
    assert address.num_orders_as_shipping_address == 1  # the address book counts it, as after Oscar's steps
    assert UserAddress.objects.filter(user=shopper).count() == 1
    assert [message.to for message in mail.outbox] == [["maker@example.com"]]
    assert order.number in client.get(placed["Location"]).content.decode()


def test_a_new_address_typed_in_ships_the_order_and_joins_the_address_book(client, shopper):
    _save_address(shopper)
    _fill_basket(client)

    new = {**NEW_ADDRESS, "ship_to": "new", "payment_method": "bank-transfer"}
    placed = client.post(reverse("checkout:index"), new)

    assert placed.status_code == 302, placed.content.decode()[-600:]
    order = Order.objects.get(user=shopper)
    assert order.shipping_address.line1 == "7 Forge Road" and order.shipping_address.first_name == "Grace"
    saved = UserAddress.objects.get(user=shopper, line1="7 Forge Road")
    assert saved.num_orders_as_shipping_address == 1


def test_a_shopper_without_saved_addresses_types_one_on_the_same_page(client, shopper):
    _fill_basket(client)
    content = client.get(reverse("checkout:index")).content.decode()
    assert 'name="line1"' in content and 'type="hidden" name="ship_to" value="new"' in content

    new = {**NEW_ADDRESS, "ship_to": "new", "payment_method": "bank-transfer"}
    placed = client.post(reverse("checkout:index"), new)

    assert placed.status_code == 302
    assert Order.objects.get(user=shopper).shipping_address.postcode == "10115"


def test_a_new_address_with_mistakes_is_shown_again_chosen_and_places_nothing(client, shopper):
    _save_address(shopper)
    _fill_basket(client)

    page = client.post(reverse("checkout:index"), {**NEW_ADDRESS, "line1": "", "ship_to": "new",
                                                   "payment_method": "bank-transfer"})  # fmt: skip

    content = page.content.decode()
    assert page.status_code == 200 and "Please correct the errors below." in content
    assert _chosen(content) == "new" and 'value="Grace"' in content  # what was typed, kept
    assert not Order.objects.exists()


def test_another_shoppers_address_cannot_be_chosen(client, shopper):
    _save_address(shopper)
    theirs = _save_address(factories.UserFactory(email="other@example.com"), line1="2 Elsewhere Road")
    _fill_basket(client)

    page = client.post(reverse("checkout:index"), {"ship_to": theirs.pk, "payment_method": "bank-transfer"})

    assert page.status_code == 200 and "2 Elsewhere Road" not in page.content.decode()
    assert not Order.objects.exists()


def test_the_same_submission_twice_places_one_order(client, shopper):
    address = _save_address(shopper)
    _fill_basket(client)
    submission = {"ship_to": address.pk, "payment_method": "bank-transfer"}

    first = client.post(reverse("checkout:index"), submission)
    again = client.post(reverse("checkout:index"), submission)  # a double click

    assert first["Location"] == again["Location"] == reverse("checkout:thank-you")
    assert Order.objects.filter(user=shopper).count() == 1
    address.refresh_from_db()
    assert address.num_orders_as_shipping_address == 1


def test_the_guest_page_sends_a_signed_in_shopper_to_their_own(client, shopper):
    _save_address(shopper)
    _fill_basket(client)
    assert client.get(reverse("checkout:guest"))["Location"] == reverse("checkout:index")
    assert "Where should we ship it?" in client.get(reverse("checkout:index")).content.decode()


def test_a_basket_that_ships_nothing_asks_no_address(client, shopper):
    # given a signed-in shopper buying a design's distribution licence (nothing to ship)
    design = factories.design(name="Compressed earth brick press")
    store = factories.storefront("Lyon Fab", city="Lyon")
    factories.certify(design, holders=[store.operator])
    licence = factories.offer(store, factories.level_product(design, 3), price="900.00", stock=None)
    client.post(reverse("basket:add", kwargs={"pk": licence.product_id}), {"quantity": 1, "offer": licence.pk})

    content = client.get(reverse("checkout:index")).content.decode()
    assert "Nothing in your basket ships" in content and 'name="ship_to"' not in content
    placed = client.post(reverse("checkout:index"), {"payment_method": "bank-transfer"})

    assert placed["Location"] == reverse("checkout:thank-you")
    assert Order.objects.get(user=shopper).shipping_address is None


def test_a_saved_address_removed_since_the_page_opened_is_refused_in_words(client, shopper):
    address = _save_address(shopper)
    _fill_basket(client)
    client.get(reverse("checkout:index"))
    chosen = address.pk
    address.delete()  # in another tab

    page = client.post(reverse("checkout:index"), {"ship_to": chosen, "payment_method": "bank-transfer"})

    html = page.content.decode()
    assert page.status_code == 200 and not Order.objects.exists()
    assert "That address can no longer be used" in html and "ship to a new one" in html
    assert "is not one of the available choices" not in html


def test_signed_out_in_another_tab_the_checkout_says_so_and_leads_to_sign_in(client, shopper):
    address = _save_address(shopper)
    _fill_basket(client)
    client.get(reverse("checkout:index"))
    client.logout()  # in another tab

    answer = client.post(reverse("checkout:index"), {"ship_to": address.pk, "payment_method": "bank-transfer"},
                         follow=True)  # fmt: skip

    page = answer.content.decode()
    assert answer.redirect_chain[-1][0] == f"{reverse('customer:login')}?next={reverse('checkout:index')}"
    assert "You were signed out before the order was placed" in page
    assert "You need to add some items" not in page  # what it said: the basket of a signed-out browser is empty
    assert not Order.objects.exists()
