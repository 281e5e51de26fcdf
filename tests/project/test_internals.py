"""The private parts of Oscar and Django the shop leans on (``marketplace/internals.py``), pinned: an upgrade that
changes one fails here, not silently on the add-to-basket and checkout paths. Also the public APIs used where there
is one, and the queries add to basket and checkout take (they must not grow)."""

import ast
import inspect
import textwrap
from importlib import import_module

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import prefetch_related_objects
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.generic import FormView
from oscar.apps.basket import views as oscar_basket_views
from oscar.apps.basket.abstract_models import AbstractBasket
from oscar.core.loading import get_model

from marketplace import internals
from marketplace.basket.views import BasketAddView
from marketplace.checkout.utils import CheckoutSessionData
from marketplace.partner.strategy import Selector
from tests import factories
from tests.checkout.test_guest_checkout import GUEST

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db


def _basket(*products):
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product in products:
        basket.add_product(product)
    return Basket.objects.get(pk=basket.pk)  # read afresh: nothing kept from adding


# --- Oscar's basket lines cache (AbstractBasket._lines) ------------------------------------------------------------


def test_oscars_all_lines_returns_the_lines_the_basket_keeps():
    basket = _basket(factories.product_in_stock())
    assert internals.basket_lines_cache(basket) is None  # Oscar's __init__: nothing kept, read on first use

    read = AbstractBasket.all_lines(basket)  # Oscar's own, not ours
    assert internals.basket_lines_cache(basket) is read

    kept = internals.prefilled(basket.lines.all(), [])
    internals.keep_basket_lines(basket, kept)
    assert AbstractBasket.all_lines(basket) is kept


def _flush(basket, other):
    basket.flush()


def _merge_line(basket, other):
    basket.merge_line(other.lines.get())


def _merge(basket, other):
    basket.merge(other)


def _reset_offers(basket, other):
    AbstractBasket.reset_offer_applications(basket)  # what Oscar's add_product calls after writing the line


def _oscars_add_product(basket, other):
    basket.strategy = Selector().strategy()
    AbstractBasket.add_product(basket, other.lines.get().product)


@pytest.mark.parametrize("change", [_flush, _merge_line, _merge, _reset_offers, _oscars_add_product])
def test_oscar_forgets_the_kept_lines_wherever_the_lines_may_change(change):
    # given a basket keeping lines that no longer say what is in it
    basket, other = _basket(factories.product_in_stock(title="Seed potatoes")), _basket(factories.product_in_stock())
    internals.keep_basket_lines(basket, internals.prefilled(basket.lines.all(), []))

    change(basket, other)

    # then Oscar has forgotten them, and the basket reads its lines again
    assert internals.basket_lines_cache(basket) is None
    assert [line.pk for line in basket.all_lines()] == list(basket.lines.order_by("pk").values_list("pk", flat=True))


def test_merging_a_basket_forgets_the_lines_the_merged_basket_kept():
    basket, other = _basket(), _basket(factories.product_in_stock())
    internals.keep_basket_lines(other, internals.prefilled(other.lines.all(), []))
    basket.merge(other)
    assert internals.basket_lines_cache(other) is None


# --- Django's prefilled queryset (QuerySet._result_cache, _prefetch_done) ------------------------------------------


def test_a_prefilled_queryset_answers_without_asking_and_a_narrowed_one_asks(django_assert_num_queries):
    basket = _basket(factories.product_in_stock(), factories.product_in_stock(title="Compost sieve"))
    rows = list(Line.objects.filter(basket=basket).order_by("pk"))
    lines = internals.prefilled(basket.lines.prefetch_related("attributes"), rows)

    with django_assert_num_queries(0):  # not even the prefetch of the lines' options
        assert list(lines) == rows and lines[1] == rows[1]
        assert len(lines) == 2 and lines.count() == 2 and lines.exists() and bool(lines)
        assert lines.ordered  # Oscar's basket formset takes it as it is (Line is ordered)
    with django_assert_num_queries(2):  # the line, then its options
        assert list(lines.filter(pk=rows[0].pk)) == rows[:1]


def test_django_prefetching_leaves_a_queryset_as_prefilled_makes_one():
    basket = _basket(factories.product_in_stock())
    prefetch_related_objects([basket], "lines")
    prefetched = basket.lines.all()
    made = internals.prefilled(Line.objects.filter(basket=basket), list(prefetched))
    assert (made._result_cache, made._prefetch_done) == (prefetched._result_cache, prefetched._prefetch_done)


def test_a_new_basket_reads_no_lines_and_no_vouchers_until_one_is_added(django_assert_num_queries):
    basket = Basket.objects.create()  # as the first add to basket creates it
    with django_assert_num_queries(0):
        assert list(basket.all_lines()) == [] and list(basket.vouchers.all()) == []
        assert not basket.contains_a_voucher and basket.num_lines == 0

    # Django forgets the empty vouchers when one is added, Oscar the empty lines when a line is
    voucher = Voucher.objects.create(name="Spring", code="SPRING", start_datetime="2026-01-01T00:00Z",
                                     end_datetime="2036-01-01T00:00Z")  # fmt: skip
    basket.vouchers.add(voucher)
    assert list(basket.vouchers.all()) == [voucher] and basket.contains_voucher("SPRING")
    basket.strategy = Selector().strategy()
    line, _ = basket.add_product(factories.product_in_stock())
    assert list(basket.all_lines()) == [line]


# --- Oscar's add-to-basket view: the post we go past ---------------------------------------------------------------


def test_oscars_add_view_post_only_loads_the_product_before_posting_the_form():
    # what our view skips, between itself and Django's FormView: Oscar's post and no other
    between = BasketAddView.__mro__[1 : BasketAddView.__mro__.index(FormView)]
    assert [cls for cls in between if "post" in vars(cls)] == [oscar_basket_views.BasketAddView]

    # and that post loads the product by the URL's pk and hands on to FormView.post, nothing else
    post = ast.parse(textwrap.dedent(inspect.getsource(oscar_basket_views.BasketAddView.post))).body[0]
    assert [ast.unparse(statement) for statement in post.body] == [
        "self.product = shortcuts.get_object_or_404(self.product_model, pk=kwargs['pk'])",
        "return super().post(request, *args, **kwargs)",
    ]


def test_adding_a_product_that_does_not_exist_is_not_found_as_in_oscar(client):
    response = client.post(reverse("basket:add", kwargs={"pk": 999_999}), {"quantity": 1})
    assert response.status_code == 404
    assert not Basket.objects.exists()


# --- the checkout's session: Django's public session API -----------------------------------------------------------


def _request_with(session):
    request = RequestFactory().get(reverse("checkout:guest"))
    request.session = session
    return request


def test_reading_the_checkout_keeps_its_empty_data_unsaved_and_the_first_detail_saves_it():
    session = import_module(settings.SESSION_ENGINE).SessionStore()

    checkout = CheckoutSessionData(_request_with(session))
    assert session[CheckoutSessionData.SESSION_KEY] == {} and not session.modified  # SessionMiddleware won't save

    checkout.set_guest_email("guest@example.com")
    assert session.modified
    session.save()
    stored = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
    assert stored[CheckoutSessionData.SESSION_KEY] == {"guest": {"email": "guest@example.com"}}


def test_a_session_changed_earlier_in_the_request_is_still_saved():
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["recently_viewed"] = [1]
    CheckoutSessionData(_request_with(session))
    assert session.modified


# --- Django's prefetch cache and stored files ----------------------------------------------------------------------


def test_a_prefetched_relation_is_known_and_read_without_a_query(django_assert_num_queries):
    product = factories.product_in_stock()
    fresh = Product.objects.get(pk=product.pk)
    assert not internals.is_prefetched(fresh, "stockrecords")

    offer = product.stockrecords.get()
    prefetched = Product.objects.prefetch_related("stockrecords").get(pk=product.pk)
    assert internals.is_prefetched(prefetched, "stockrecords")
    with django_assert_num_queries(0):
        assert list(prefetched.stockrecords.all()) == [offer]


def test_a_relation_kept_as_prefetched_is_read_without_a_query_until_changed(django_assert_num_queries):
    basket = _basket()
    voucher = Voucher.objects.create(name="Spring", code="SPRING", start_datetime="2026-01-01T00:00Z",
                                     end_datetime="2036-01-01T00:00Z")  # fmt: skip
    internals.keep_prefetched(basket, "vouchers", internals.prefilled(basket.vouchers.all(), []))

    assert internals.is_prefetched(basket, "vouchers")
    with django_assert_num_queries(0):
        assert list(basket.vouchers.all()) == [] and not basket.vouchers.exists()
        prefetch_related_objects([basket], "vouchers")  # Django's prefetching takes it as done
    basket.vouchers.add(voucher)  # changed through the relation: Django forgets what was kept
    assert not internals.is_prefetched(basket, "vouchers")
    assert list(basket.vouchers.all()) == [voucher]


def test_a_stored_image_is_told_from_a_new_upload():
    assert internals.is_stored(ProductImage(original="images/products/kiln.png").original)
    image = ProductImage()
    image.original = SimpleUploadedFile("kiln.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    assert not internals.is_stored(image.original)
    assert not internals.is_stored(SimpleUploadedFile("kiln.png", b"\x89PNG\r\n\x1a\n"))


# --- the queries add to basket and checkout take: no more than before the adapter --------------------------------


def _queries(request):
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    # sorl-thumbnail's note of a thumbnail it made for the first time is its own store, written once for all pages
    return sum("thumbnail_kvstore" not in query["sql"] for query in captured.captured_queries), response


def test_add_to_basket_and_checkout_ask_no_more_than_before(django_capture_on_commit_callbacks):
    seeds = factories.product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=50)
    press = factories.product_in_stock(title="Compressed earth brick press", price="1500.00", stock=50)
    offer = seeds.stockrecords.get()
    earlier = Client()  # an earlier shopper: the site's offers, the menu and the flat pages are read, and kept
    earlier.post(reverse("basket:add", kwargs={"pk": press.pk}), {"quantity": 1})
    earlier.get(reverse("basket:summary"))
    shopper, guest = Client(), Client()

    def add(client, product, **data):
        return lambda: client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, **data})

    counts = {
        "first add, the offer named": _queries(add(shopper, seeds, offer=offer.pk))[0],
        "a second product": _queries(add(shopper, press))[0],
        "the same product again": _queries(add(shopper, seeds))[0],
        "the basket page": _queries(lambda: shopper.get(reverse("basket:summary")))[0],
        "first add, no offer named": _queries(add(guest, seeds))[0],
        "the checkout page": _queries(lambda: guest.get(reverse("checkout:guest")))[0],
    }
    with django_capture_on_commit_callbacks(execute=True):
        counts["placing the order"], placed = _queries(lambda: guest.post(reverse("checkout:guest"), GUEST))

    assert placed["Location"] == reverse("checkout:thank-you")
    # measured at the commit before the adapter (14d3509), on SQLite and PostgreSQL alike
    before = {
        "first add, the offer named": 3,
        "a second product": 13,
        "the same product again": 11,
        "the basket page": 4,
        "first add, no offer named": 5,
        "the checkout page": 5,
        "placing the order": 43,
    }
    assert {step: n for step, n in counts.items() if n > before[step]} == {}, counts


# --- Django's SessionBase._get_new_session_key (UncheckedSessionKey) -----------------------------------------------


@pytest.mark.parametrize("engine", ["marketplace.accounts.sessions.db", "marketplace.accounts.sessions.cached_db"])
def test_a_new_session_is_written_without_first_asking_whether_its_key_is_taken(engine):
    store = import_module(engine).SessionStore()
    store["checkout_order_id"] = 1
    with CaptureQueriesContext(connection) as queries:
        store.save()
    written = [q["sql"] for q in queries if "django_session" in q["sql"]]
    assert len(written) == 1 and written[0].startswith("INSERT"), written


@pytest.mark.parametrize("engine", ["marketplace.accounts.sessions.db", "marketplace.accounts.sessions.cached_db"])
def test_djangos_create_draws_another_key_when_the_insert_finds_its_key_taken(engine, monkeypatch):
    SessionStore = import_module(engine).SessionStore
    taken = SessionStore()
    taken["someone"] = "else"
    taken.create()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))

    store = SessionStore()
    store["checkout_order_id"] = 1
    store.create()

    assert store.session_key == "k" * 32
    assert SessionStore(session_key=taken.session_key)["someone"] == "else"  # the other visitor's session is kept
    assert SessionStore(session_key="k" * 32)["checkout_order_id"] == 1
