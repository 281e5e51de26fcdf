"""Signed-in shoppers, and visitors with a basket or a message, get catalogue pages from the cache too: the page is
stored without its personal pieces (the account bar, the mini basket, the messages, the certification link, the
wishlist, review and stock-alert buttons) and each hit renders those for the requester in a few queries. What one
shopper sees of their own never reaches another."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from certification.services import CERTIFIERS
from tests import factories
from tests.catalog.test_page_cache import _html, _pages, _without_tokens

pytestmark = pytest.mark.django_db
Notification = get_model("communication", "Notification")
WishList = get_model("wishlists", "WishList")
ProductReview = get_model("reviews", "ProductReview")
PIECE = re.compile(r"<!--p:[a-z_]+[^>]*-->.*?<!--/p-->", re.S)


def _signed_in(email: str, **fields) -> Client:
    client = Client()
    client.force_login(factories.UserFactory(email=email, **fields))
    return client


def _add(client, product, offer) -> None:
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "offer": offer.pk})


def _page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        _page(client, path)
    return len(queries)


def _body(html: str) -> str:
    """The page but for its personal pieces and each response's own token and nonce."""
    return _without_tokens(PIECE.sub("", html))


def test_signed_in_shoppers_share_the_stored_page_and_each_sees_their_own_header(shop):
    ada, bob = _signed_in("ada@example.com"), _signed_in("bob@example.com")
    _add(ada, shop["press"], shop["press_offer"])
    Notification.objects.create(recipient=get_model("auth", "User").objects.get(email="bob@example.com"),
                                subject="Your part shipped")  # fmt: skip
    for name, path in _pages(shop).items():
        _page(ada, path), _page(ada, path)  # stored (the product page: once the recently-viewed cookie settles)
        mine, theirs = _page(ada, path), _page(bob, path)
        assert _body(mine) == _body(theirs), name
        assert "1,500.00" in mine and "1,500.00" not in PIECE.search(theirs).group(0) + _basket_piece(theirs), name
        assert 'class="badge badge-warning">1<' in theirs and "badge-warning" not in mine, name
        assert "Logout" in mine and "Logout" in theirs and "Login or register" not in mine, name


def _basket_piece(html: str) -> str:
    return next((piece for piece in PIECE.findall(html) if "basket-mini" in piece), "")


def test_a_signed_in_page_from_the_cache_costs_a_few_queries_whatever_the_page(shop):
    shopper = _signed_in("ada@example.com")
    _add(shopper, shop["press"], shop["press_offer"])
    _add(shopper, shop["licence"], shop["licence_offer"])
    counts = {}
    for name, path in _pages(shop).items():
        rendered = _queries(shopper, path)
        _page(shopper, path)
        counts[name] = _queries(shopper, path)
        assert counts[name] < rendered, name
    # the session, the user, the account bar's facts, the basket, its lines, their images; a product page also
    # asks whether this shopper reviewed it and which of their wish lists hold it
    assert max(counts.values()) <= 8, counts
    assert {count for name, count in counts.items() if name != "product"} == {counts["catalogue"]}, counts


def test_the_basket_message_shows_on_a_page_served_from_the_cache(shop):
    path = reverse("catalogue:index")
    other, guest = Client(), Client()
    for visitor in (other, guest):
        visitor.post(reverse("basket:add", kwargs={"pk": shop["press"].pk}),
                     {"quantity": 1, "offer": shop["press_offer"].pk})  # fmt: skip
    _page(other, path), _page(other, path)  # another visitor with a basket: the page is stored
    type(shop["press"]).objects.filter(pk=shop["press"].pk).update(title="Renamed behind the cache's back")
    page = _page(guest, path)
    assert "Renamed behind" not in _body(page)  # the stored page (the basket piece is read afresh)
    assert "<strong>CEB press kit</strong> has been added to your cart." in page
    assert "has been added to your cart" not in _page(guest, path)  # shown once


def test_staff_get_their_edit_links_and_never_a_stored_page(shop):
    staff = Client()
    staff.force_login(factories.UserFactory(email="staff@example.com", is_staff=True))
    path = shop["design"].category.get_absolute_url()
    _page(_signed_in("ada@example.com"), path)
    assert "Edit this category" in _page(staff, path)
    assert "Edit this category" not in _page(_signed_in("bob@example.com"), path)


def test_a_certifier_sees_the_queue_link_on_a_stored_page_and_a_shopper_does_not(shop):
    certifier = _signed_in("cert@example.com")
    Group.objects.get_or_create(name=CERTIFIERS)[0].user_set.add(get_model("auth", "User").objects.get(
        email="cert@example.com"))  # fmt: skip
    path = reverse("catalogue:index")
    _page(_signed_in("ada@example.com"), path)
    assert "Certification queue" in _page(certifier, path)
    assert "Certification queue" not in _page(_signed_in("bob@example.com"), path)


def test_an_operator_sees_the_dashboard_link_on_a_stored_page(shop):
    operator = Client()
    operator.force_login(shop["store"].operator)
    path = reverse("catalogue:index")
    _page(_signed_in("ada@example.com"), path)
    assert "Dashboard" in _page(operator, path)
    assert "Dashboard" not in PIECE.search(_page(_signed_in("bob@example.com"), path)).group(0)


def test_the_product_page_buttons_are_each_shoppers_own(shop):
    path = shop["press"].get_absolute_url()
    ada, bob = _signed_in("ada@example.com"), _signed_in("bob@example.com")
    ada_user = get_model("auth", "User").objects.get(email="ada@example.com")
    wishlist = WishList.objects.create(owner=ada_user, name="Workshop")
    wishlist.add(shop["press"])
    for _ in range(3):
        _page(bob, path)
    mine = _page(ada, path)
    assert "Product is in" in mine and "Workshop" in mine
    assert "Workshop" not in _page(bob, path)
    assert 'id="write_review"' in _page(bob, path) and "be the first to write one" in _page(bob, path)
    assert 'id="write_review"' not in _html(path)  # a guest may not review
    ProductReview.objects.create(product=shop["press"], user=get_model("auth", "User").objects.get(
        email="bob@example.com"), score=5, title="Solid", body="Pressed 400 blocks.",
        status=ProductReview.FOR_MODERATION)  # fmt: skip
    assert 'id="write_review"' not in _page(bob, path) and "be the first to write one" not in _page(bob, path)
    assert 'id="write_review"' in _page(ada, path) and "be the first to write one" in _page(ada, path)


def test_a_sold_out_product_offers_each_shopper_their_own_stock_alert(shop):
    shop["press_offer"].num_in_stock = 0
    shop["press_offer"].save()
    path = shop["press"].get_absolute_url()
    ada = _signed_in("ada@example.com")
    for _ in range(3):
        _page(ada, path)
    guest_page = _html(path)
    assert 'id="alert_form"' in guest_page and 'type="hidden" name="email"' not in guest_page  # a guest types one
    page = _page(ada, path)
    assert 'id="alert_form"' in page and 'type="hidden" name="email"' in page  # a shopper's is on their account
    ada.post(reverse("customer:alert-create", kwargs={"pk": shop["press"].pk}), {})
    assert "You have an active stock alert" in _page(ada, path)
    assert "You have an active stock alert" not in _page(_signed_in("bob@example.com"), path)


def test_a_piece_planted_in_an_operators_text_is_shown_as_text_and_renders_nothing(shop):
    planted = '<!--p:accounts--><b>Hi</b><!--/p--><!--p:wishlist product=999999--><!--/p-->'
    shop["press"].title = "Press " + planted
    shop["press"].description = "<p>Good</p>" + planted
    shop["press"].save()
    path = shop["press"].get_absolute_url()
    ada = _signed_in("ada@example.com")
    for _ in range(3):
        page = _page(ada, path)
    assert page.count("<!--p:accounts") == 1  # the real account bar only
    assert "<!--p:wishlist product=999999" not in page
    assert "&lt;!--p:accounts--&gt;" in page


def test_the_phone_basket_button_shows_each_shoppers_own_total(shop):
    """Oscar's basket button below 768 px (nav_primary's navbar_basket) says the basket's total too."""
    ada, bob = _signed_in("ada@example.com"), _signed_in("bob@example.com")
    _add(ada, shop["press"], shop["press_offer"])
    path = reverse("catalogue:index")
    _page(ada, path), _page(ada, path)  # stored by Ada, whose basket holds $1,500
    button = re.compile(r'<a class="btn btn-secondary float-right btn-cart.*?</a>', re.S)
    assert "1,500.00" in button.search(_page(ada, path)).group(0)
    assert "Total" not in button.search(_page(bob, path)).group(0)


def test_reviews_on_a_stored_product_page_are_seen_by_each_shopper_as_theirs_or_others(shop):
    path = shop["press"].get_absolute_url()
    ada, bob = _signed_in("ada@example.com", first_name="Ada"), _signed_in("bob@example.com")
    ProductReview.objects.create(product=shop["press"], user=get_model("auth", "User").objects.get(
        email="ada@example.com"), score=4, title="Solid press", body="Pressed 400 blocks.",
        status=ProductReview.APPROVED)  # fmt: skip
    for _ in range(3):
        mine = _page(ada, path)  # Ada stores the page
    assert "Reviewed by you" in mine and "Is this review helpful?" not in mine  # not on one's own review
    theirs = _page(bob, path)
    assert "Solid press" in theirs and "Reviewed by you" not in theirs and "Is this review helpful?" in theirs
    vote = reverse("catalogue:reviews-vote", kwargs={"product_slug": shop["press"].slug, "product_pk": shop["press"].pk,
                                                     "pk": ProductReview.objects.get().pk})  # fmt: skip
    bob.post(vote, {"delta": 1})
    assert "Is this review helpful?" not in _page(bob, path)  # voted once
    assert "1</strong> of 1 customer found this useful" in _page(ada, path)


def test_an_operator_cannot_make_a_stored_page_show_visitors_their_csrf_token(shop):
    from marketplace.ops.pagecache import _token_hole

    store, path = shop["store"], reverse("storefronts:detail", kwargs={"slug": shop["store"].slug})
    store.about = f"Old mark --csrf-token-- and the real one {_token_hole().decode()}"
    store.save()
    for visitor in (Client(), _signed_in("ada@example.com")):
        for _ in range(3):
            about = _page(visitor, path).split("Old mark")[1].split("</p>")[0]
            assert about == f" --csrf-token-- and the real one {_token_hole().decode()}"  # as written


def test_the_basket_in_the_header_is_kept_between_changes_and_shows_each_change_at_once(shop):
    ada = _signed_in("ada@example.com")
    path = reverse("catalogue:index")
    _page(ada, path), _page(ada, path)
    with CaptureQueriesContext(connection) as queries:
        assert "Basket total:</strong>\n    \n        $0.00" in _page(ada, path).replace("Cart", "Basket")
    assert not any("basket_" in query["sql"] for query in queries)  # the kept piece: the basket is not read
    _add(ada, shop["press"], shop["press_offer"])
    assert "$1,500.00" in _basket_piece(_page(ada, path))
    line = get_model("basket", "Line").objects.get()
    formset = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    ada.post(reverse("basket:summary"), {**formset, "form-0-id": line.pk, "form-0-quantity": 0})
    assert "$1,500.00" not in _basket_piece(_page(ada, path))
    shop["press_offer"].price = "1400.00"
    shop["press_offer"].save()
    _add(ada, shop["press"], shop["press_offer"])
    assert "$1,400.00" in _basket_piece(_page(ada, path))


def test_the_account_bar_is_kept_between_changes_and_shows_each_change_at_once(shop):
    user = factories.UserFactory(email="ada@example.com")
    ada = Client(enforce_csrf_checks=True)
    ada.force_login(user)
    path = reverse("catalogue:index")
    _page(ada, path), _page(ada, path)
    with CaptureQueriesContext(connection) as queries:
        page = _page(ada, path)
    read = [query["sql"] for query in queries if "django_session" not in query["sql"]]  # (Redis keeps sessions)
    assert len(read) == 1 and '"auth_user"' in read[0], read  # the user: the bar and the basket are kept
    assert "badge-warning" not in page and "Certification queue" not in page
    Notification.objects.create(recipient=user, subject="Your part shipped")
    assert 'class="badge badge-warning">1<' in _page(ada, path)
    Group.objects.get_or_create(name=CERTIFIERS)[0].user_set.add(user)
    assert "Certification queue" in _page(ada, path)
    Notification.objects.get().delete()
    page = _page(ada, path)
    assert "badge-warning" not in page
    # the kept bar's sign-out form posts with this visitor's own token
    token = re.search(r'id="logout_form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S).group(1)
    assert ada.post(reverse("customer:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "Login or register" in _page(ada, path)
