"""Hostile or concurrent input gets a clean answer, never a 500: many refunds of one order at once, Stripe events of
the wrong shape, and sort or filter values no dashboard list knows."""

import json
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment.models import OperatorOrder
from marketplace.payments import refunds
from marketplace.payments.models import Refund
from marketplace.revenue.models import JournalEntry
from marketplace.revenue.selectors import ledger_total
from tests import factories

# --- refunds at once ---------------------------------------------------------------------------------------------


def _refund_at_once(posts):
    """POST every ``(client, url, data)`` at once, each thread on its own database connection; the responses."""
    start, answers = threading.Barrier(len(posts)), [None] * len(posts)

    def refund(index, client, url, data):
        start.wait()
        try:
            answers[index] = client.post(url, data)
        except Exception as error:  # a 500 in a real server
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=refund, args=(index, *post)) for index, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_refunds_of_one_order_at_once_answer_cleanly_and_never_give_back_more_than_was_paid(
    seeded, two_operators, django_capture_on_commit_callbacks
):
    # given an order from two operators, paid by bank transfer (900.00 + 1400.00 + shipping 7.50 + 4.00)
    shop, capture = two_operators, django_capture_on_commit_callbacks
    order = factories.pay_offline(factories.checkout([shop["printer"], shop["mill"]], capture=capture), capture=capture)
    staff = factories.UserFactory(is_staff=True, is_superuser=True)
    posts = []
    for index in range(20):
        store = shop["berlin"] if index % 2 else shop["lyon"]
        part = OperatorOrder.objects.get(order=order, partner=store.partner)
        line = order.lines.get(partner=store.partner)
        client = Client()
        client.force_login(staff if index % 4 < 2 else store.operator)
        data = {f"amount_{line.pk}": "150.00", "reason": f"Refund {index}"}
        posts.append((client, reverse("fulfilment:refund-part", kwargs={"pk": part.pk}), data))

    # when staff and both operators send twenty refunds of 150.00 at once (1,500.00 asked of each part)
    answers = _refund_at_once(posts)

    # then every answer is the order page again (a refund, or why not), none a server error
    statuses = Counter(answer.status_code if hasattr(answer, "status_code") else repr(answer) for answer in answers)
    assert statuses == {302: 20}, statuses
    # each line gave back as many 150.00 as fit in what was paid for it: Berlin's 900.00 six, Lyon's 1,400.00 nine
    settled = Refund.objects.filter(status=Refund.SUCCEEDED)
    for store, given in ((shop["berlin"], Decimal("900.00")), (shop["lyon"], Decimal("1350.00"))):
        assert sum(refund.amount for refund in settled.filter(operator_order__partner=store.partner)) == given
    assert not Refund.objects.exclude(status=Refund.SUCCEEDED).exists()
    source = order.sources.get()
    source.refresh_from_db()
    assert source.amount_refunded == sum(refund.amount for refund in settled) <= source.amount_debited
    # every settled refund reversed its share of the ledger, which still balances
    assert JournalEntry.objects.filter(kind=JournalEntry.REFUND).count() == settled.count() > 0
    assert ledger_total() == 0


@pytest.mark.django_db
def test_a_refund_chosen_as_a_deadlock_victim_is_retried(two_operators, django_capture_on_commit_callbacks,
                                                         monkeypatch):  # fmt: skip
    class DeadlockDetected(Exception):
        pgcode = "40P01"

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    order = factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    part = OperatorOrder.objects.get(order=order)
    line = order.lines.get()
    settle, calls = refunds._settle, []

    def deadlock_once(refund, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from DeadlockDetected()
        return settle(refund, **kwargs)

    monkeypatch.setattr(refunds, "_settle", deadlock_once)
    client = Client()
    client.force_login(two_operators["berlin"].operator)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("fulfilment:refund-part", kwargs={"pk": part.pk}),
                           {f"amount_{line.pk}": "100.00", "reason": "Scratched"}, follow=True)  # fmt: skip

    assert page.status_code == 200 and "Refunded $100.00" in page.content.decode()
    assert len(calls) == 2 and Refund.objects.get().status == Refund.SUCCEEDED
    assert order.sources.get().amount_refunded == Decimal("100.00")


@pytest.mark.django_db
def test_a_refund_still_deadlocked_after_its_retries_is_explained(two_operators, django_capture_on_commit_callbacks,
                                                                  monkeypatch):  # fmt: skip
    class DeadlockDetected(Exception):
        pgcode = "40P01"

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    order = factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    part = OperatorOrder.objects.get(order=order)
    line = order.lines.get()

    def always_deadlocked(refund, **kwargs):
        raise OperationalError("deadlock detected") from DeadlockDetected()

    monkeypatch.setattr(refunds, "_settle", always_deadlocked)
    client = Client()
    client.force_login(two_operators["berlin"].operator)
    page = client.post(reverse("fulfilment:refund-part", kwargs={"pk": part.pk}),
                       {f"amount_{line.pk}": "100.00", "reason": "Scratched"}, follow=True)  # fmt: skip

    assert page.status_code == 200 and "please refund again" in page.content.decode()
    assert not Refund.objects.exists() and order.sources.get().amount_refunded == 0


@pytest.mark.django_db
def test_a_refund_reason_with_a_nul_is_explained(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    order = factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    line = order.lines.get()
    client = Client()
    client.force_login(two_operators["berlin"].operator)

    page = client.post(reverse("fulfilment:refund-part", kwargs={"pk": OperatorOrder.objects.get(order=order).pk}),
                       {f"amount_{line.pk}": "1.00", "reason": "Broken\x00"}, follow=True)  # fmt: skip

    assert page.status_code == 200 and "The reason cannot hold a NUL character." in page.content.decode()
    assert not Refund.objects.exists()


# --- Stripe events of the wrong shape ----------------------------------------------------------------------------


def _shaped(**fields) -> str:
    event = {"id": "evt_1QShaped", "object": "event", "type": "payment_intent.succeeded", "created": 1_764_000_000,
             "data": {"object": {"id": "pi_123", "object": "payment_intent", "amount_received": 100}}}  # fmt: skip
    event.update(fields)
    return json.dumps({key: value for key, value in event.items() if value is not MISSING})


MISSING = object()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"id": "evt_" + "x" * 5000},  # longer than any event id (and than the column that stores it)
        {"id": "evt_" + "x" * 252},  # one character over the column
        {"id": "pi_123"},  # not an event's id
        {"id": "evt_1 OR 1=1"},
        {"id": ""},
        {"id": 12345},
        {"type": "x" * 101},
        {"type": "payment intent succeeded!"},
        {"type": ["payment_intent.succeeded"]},
        {"data": MISSING},
        {"data": None},
        {"data": {}},
        {"data": {"object": None}},
        {"data": {"object": "pi_123"}},
        {"data": {"object": ["pi_123"]}},
        {"data": "evt"},
        {"data": {"object": {"id": "cus_1", "name": "Ada\x00"}}},  # a NUL, which PostgreSQL cannot store
    ],
)
def test_a_signed_event_of_the_wrong_shape_is_refused_cleanly_and_never_stored(
    settings, fields, django_capture_on_commit_callbacks
):
    from marketplace.models import FailedTask
    from marketplace.payments.models import WebhookEvent
    from tests.payments.test_webhooks import SECRET, _post, _sign

    settings.STRIPE_WEBHOOK_SECRET = SECRET
    body = _shaped(**fields)

    answer = _post(body, _sign(body), django_capture_on_commit_callbacks)

    assert answer.status_code == 400, answer.content[:300]
    assert not WebhookEvent.objects.exists() and not FailedTask.objects.exists()


@pytest.mark.django_db
def test_the_longest_event_id_that_fits_is_stored(settings, django_capture_on_commit_callbacks):
    from marketplace.payments.models import WebhookEvent
    from tests.payments.test_webhooks import SECRET, _post, _sign

    settings.STRIPE_WEBHOOK_SECRET = SECRET
    body = _shaped(id="evt_" + "A1_" * 83 + "x", type="customer.created", data={"object": {"id": "cus_1"}})

    answer = _post(body, _sign(body), django_capture_on_commit_callbacks)

    assert answer.status_code == 200 and WebhookEvent.objects.get().outcome == "ignored"


# --- sort and filter values no list knows ------------------------------------------------------------------------

LISTS = [
    "dashboard:catalogue-product-list", "dashboard:catalogue-category-list", "dashboard:catalogue-class-list",
    "dashboard:catalogue-option-list", "dashboard:catalogue-attribute-option-group-list",
    "dashboard:catalogue-product-lookup", "dashboard:stock-alert-list", "dashboard:catalogue-design-list",
    "dashboard:order-list", "dashboard:order-stats", "dashboard:users-index", "dashboard:user-alert-list",
    "dashboard:reports-index", "dashboard:partner-list", "dashboard:offer-list", "dashboard:range-list",
    "dashboard:reviews-list", "dashboard:voucher-list", "dashboard:voucher-set-list", "dashboard:page-list",
    "dashboard:comms-list", "dashboard:shipping-method-list", "storefronts:staff-list", "storefronts:dashboard",
    "certification:queue", "revenue:operator", "revenue:staff", "storefronts:directory", "designs:list",
    "catalogue:index", "certification:directory", "search:search", "checkout:thank-you",
]  # fmt: skip
HOSTILE = [
    # sorts: Oscar's checkbox and actions columns (their headers link here), no column, a field not shown
    "sort=checkbox", "sort=-checkbox", "sort=actions", "sort=-actions", "sort=__class__", "sort=password",
    "sort=checkbox&sort=title", "sort=" + "x" * 3000, "order_by=checkbox", "order_by=-user__password", "dir=up",
    # pages and page sizes
    "per_page=-5", "per_page=0", "per_page=abc", "per_page=1000000000", "page=abc", "page=-1", "page=" + "9" * 21,
    "page_limit=-1", "page_limit=abc", "initial=abc", "initial=1,,2", "initial=" + "9" * 21,
    # filters: empty, a NUL (PostgreSQL cannot compare it), a date that is none
    "status=", "status=%00", "q=%00", "order_number=%00", "order_id=abc", "date_from=zzz", "date_to=2020-13-45",
    "report_type=zzz", "response_format=zz", "level=abc", "category=" + "9" * 21,
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["staff", "operator"])
def test_every_list_answers_hostile_sort_and_filter_values_without_a_server_error(two_operators, who):
    from catalog.models import Category

    user = factories.UserFactory(is_staff=True, is_superuser=True) if who == "staff" else two_operators["lyon"].operator
    client = Client(raise_request_exception=False)
    client.force_login(user)
    category = Category.objects.get(name="CNC circuit mills")
    urls = [reverse(name) for name in LISTS]
    urls.append(reverse("dashboard:catalogue-category-detail-list", kwargs={"pk": category.pk}))

    failed = [(url, query, answer.status_code) for url in urls for query in HOSTILE
              if (answer := client.get(f"{url}?{query}")).status_code >= 500]  # fmt: skip

    assert not failed


@pytest.mark.django_db
def test_the_product_list_sorts_by_its_columns_and_ignores_its_checkbox(two_operators):
    client = Client()
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    url = reverse("dashboard:catalogue-product-list")

    by_checkbox, by_title = client.get(f"{url}?sort=checkbox"), client.get(f"{url}?sort=title")

    assert by_checkbox.status_code == by_title.status_code == 200
    titles = [product.title for product in by_title.context["products"].paginated_rows.data]
    assert titles == sorted(titles) and len(titles) == 3
    page = by_title.content.decode()
    assert 'href="?sort=-title"' in page and 'href="?sort=upc"' in page  # sortable headers link to their sort
    assert "sort=checkbox" not in page and "sort=actions" not in page  # the checkbox and actions headers do not


# --- issue 20's leftovers: hostile input an attacker found, each answered on the shop's page -------------------


def _staff_client():
    client = Client(raise_request_exception=False)
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    return client


def _page_messages(page) -> str:
    return " ".join(str(message) for message in page.context["messages"]) if page.context else ""


@pytest.fixture
def paid_printer(two_operators, django_capture_on_commit_callbacks):
    """Berlin Fab's printer (900.00, shipping 7.50), paid by bank transfer; Berlin's part and line."""
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    order = factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    return {"order": order, "part": OperatorOrder.objects.get(order=order), "line": order.lines.get(),
            "operator": two_operators["berlin"].operator}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    "amounts, message",
    [
        ({"amount_²": "1.00"}, "Choose what to refund"),  # str.isdigit() says "²" is a digit; int() refuses it
        ({"amount_٣": "1.00"}, "Choose what to refund"),  # an Arabic-Indic three: no line of this part
        ({"amount_" + "9" * 900: "1.00"}, "Choose what to refund"),  # hundreds of digits: no line of this part
        ({"amount_1" + "0" * 30: "1.00"}, "Choose what to refund"),  # no database integer holds it
        ({"shipping_amount": "1e999999999"}, "Shipping: That is too large an amount."),  # abs() overflowed
        ({"shipping_amount": "NaN"}, "Shipping: That is not an amount"),
        ({"shipping_amount": "-Infinity"}, "Shipping: That is not an amount"),
        ({"LINE": "1e999999999"}, "That is too large an amount."),
        ({"LINE": "9" * 5000}, "That is too large an amount."),
        ({"LINE": "²"}, "That is not an amount"),
        ({"LINE": "1\x00"}, "That is not an amount"),
    ],
)
def test_a_refund_of_hostile_amounts_is_explained_on_the_order_page(paid_printer, amounts, message):
    line = paid_printer["line"]
    data = {(f"amount_{line.pk}" if key == "LINE" else key): value for key, value in amounts.items()}
    client = Client(raise_request_exception=False)
    client.force_login(paid_printer["operator"])

    page = client.post(reverse("fulfilment:refund-part", kwargs={"pk": paid_printer["part"].pk}),
                       {**data, "reason": "Broken"}, follow=True)  # fmt: skip

    assert page.status_code == 200 and message in _page_messages(page), _page_messages(page)
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_a_form_django_cannot_read_is_a_400_in_the_shops_layout(paid_printer):
    client = Client(raise_request_exception=False)
    client.force_login(paid_printer["operator"])

    # a field name longer than Django's multipart parser reads (its part headers are limited)
    page = client.post(reverse("fulfilment:refund-part", kwargs={"pk": paid_printer["part"].pk}),
                       {"amount_" + "9" * 5000: "1.00", "reason": "Broken"})  # fmt: skip

    assert page.status_code == 400
    text = page.content.decode()
    assert "This request could not be read" in text and "Open Source Store" in text
    assert not Refund.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["carrier", "tracking_number", "note"])
def test_a_nul_in_a_shipment_is_explained_and_the_part_stays_unshipped(paid_printer, field):
    part = paid_printer["part"]
    client = Client(raise_request_exception=False)
    client.force_login(paid_printer["operator"])
    data = {"status": OperatorOrder.SHIPPED, "carrier": "DHL", "tracking_number": "00340434161234567890",
            "note": "Left at the door"}  # fmt: skip
    data[field] += "\x00"

    page = client.post(reverse("fulfilment:part-status", kwargs={"pk": part.pk}), data, follow=True)

    assert page.status_code == 200 and "Null characters are not allowed." in _page_messages(page)
    part.refresh_from_db()
    assert part.status == OperatorOrder.TO_FULFIL and not part.tracking_number


@pytest.mark.django_db
def test_a_nul_in_a_bank_transfer_reference_is_explained_and_the_order_stays_pending(
    two_operators, django_capture_on_commit_callbacks
):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    client = _staff_client()

    page = client.post(reverse("payments:confirm-offline", kwargs={"number": order.number}),
                       {"reference": "SEPA\x00 2041"}, follow=True)  # fmt: skip

    assert page.status_code == 200 and "Null characters are not allowed." in _page_messages(page)
    order.refresh_from_db()
    assert order.status == "Pending"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"line_action": "change_line_statuses", "selected_line": "abc"}, "Choose the lines to act on"),
        ({"line_action": "change_line_statuses", "selected_line": "9" * 30}, "Choose the lines to act on"),
        ({"line_action": "change_line_statuses", "selected_line": "²"}, "Choose the lines to act on"),
        ({"line_action": "change_line_statuses", "selected_line": "LINE", "selected_line_qty_LINE": "1"},
         "Choose the new status"),
        ({"line_action": "create_shipping_event", "selected_line": "LINE", "selected_line_qty_LINE": "1"},
         "Choose the shipping event"),
        ({"line_action": "create_shipping_event", "selected_line": "LINE", "selected_line_qty_LINE": "1",
          "shipping_event_type": "shipped\x00"}, "Null characters are not allowed."),
        ({"line_action": "create_shipping_event", "selected_line": "LINE", "selected_line_qty_LINE": "1",
          "shipping_event_type": "shipped", "reference": "DHL\x00"}, "Null characters are not allowed."),
        ({"line_action": "create_payment_event", "selected_line": "LINE", "payment_event_type": "paid"},
         "Give the quantity of line #LINE"),
        ({"line_action": "create_payment_event", "selected_line": "LINE", "selected_line_qty_LINE": "1",
          "payment_event_type": "paid", "amount": "NaN"}, "The amount is not an amount"),
        ({"line_action": "create_payment_event", "selected_line": "LINE", "selected_line_qty_LINE": "1",
          "payment_event_type": "paid", "amount": "1e999999"}, "The amount is too large"),
        ({"line_action": "create_payment_event", "selected_line": "LINE", "selected_line_qty_LINE": "1"},
         "Choose the payment event"),
        ({"order_action": "create_order_payment_event", "payment_event_type": "paid"}, "Give the amount"),
        ({"order_action": "create_order_payment_event", "payment_event_type": "paid", "amount": "1e999999"},
         "The amount is too large"),
        ({"order_action": "create_order_payment_event", "amount": "10.00"}, "Choose the payment event"),
        ({"order_action": "delete_note", "note_id": "abc"}, "Choose the note to delete"),
        ({"order_action": "delete_note"}, "Choose the note to delete"),
    ],
)  # fmt: skip
def test_the_dashboard_order_page_explains_a_bad_action_and_reloads(paid_printer, data, message):
    order, line = paid_printer["order"], paid_printer["line"]
    data = {key.replace("LINE", str(line.pk)): value.replace("LINE", str(line.pk)) for key, value in data.items()}
    message = message.replace("LINE", str(line.pk))
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    events = (order.payment_events.count(), order.shipping_events.count())

    page = _staff_client().post(url, data, follow=True)

    assert page.status_code == 200 and page.redirect_chain[-1][0] == url, page.status_code
    assert message in _page_messages(page), _page_messages(page)
    assert (order.payment_events.count(), order.shipping_events.count()) == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"id": "evt_1NaN", "type": "payment_intent.succeeded", "data": {"object": {"amount": NaN}}}',
        '{"id": "evt_1Inf", "type": "payment_intent.succeeded", "data": {"object": {"amount": -Infinity}}}',
        '{"id": "evt_1Big", "type": "payment_intent.succeeded", "data": {"object": {"amount": 1e999}}}',
        '{"id": "evt_1Sur", "type": "customer.created", "data": {"object": {"id": "cus_1", "name": "\\ud800"}}}',
        '{"id": "evt_1Deep", "type": "customer.created", "data": {"object": {"id": "cus_1", "x": '
        + "[" * 10_000 + "]" * 10_000 + "}}}",
        '{"id": "evt_1Deepish", "type": "customer.created", "data": {"object": {"id": "cus_1", "x": '
        + "[" * 900 + "]" * 900 + "}}}",  # what json reads, but deeper than any event Stripe sends
        '{"id": "evt_1Twice", "id": "evt_2Twice", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}',
    ],
    ids=["nan", "infinity", "1e999", "lone-surrogate", "10000-deep", "900-deep", "duplicate-key"],
)
def test_a_signed_event_json_cannot_hold_is_refused_with_a_400(settings, body, django_capture_on_commit_callbacks):
    from marketplace.models import FailedTask
    from marketplace.payments.models import WebhookEvent
    from tests.payments.test_webhooks import SECRET, _post, _sign

    settings.STRIPE_WEBHOOK_SECRET = SECRET

    answer = _post(body, _sign(body), django_capture_on_commit_callbacks)

    assert answer.status_code == 400, answer.content[:300]
    assert not WebhookEvent.objects.exists() and not FailedTask.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["a/b", "OSE-L-0000001-1234567/", "x" * 500, "\x00", "../../admin/"])
def test_a_licence_lookup_of_no_licence_number_shows_the_form_with_an_error(client, number):
    page = client.get(reverse("fulfilment:licence-lookup"), {"number": number})

    assert page.status_code == 200
    assert "A licence number looks like OSE-L-0001234-1A2B3C4D." in page.content.decode()


@pytest.mark.django_db
def test_a_licence_lookup_of_a_licence_number_goes_to_its_page(client):
    page = client.get(reverse("fulfilment:licence-lookup"), {"number": " ose-l-0001234-1a2b3c4d "})

    assert page.status_code == 302
    assert page.url == reverse("fulfilment:licence", kwargs={"number": "OSE-L-0001234-1A2B3C4D"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/catalogue/option/abc/update/", "/dashboard/catalogue/option/abc/delete/",
        "/dashboard/catalogue/attribute-option-group/abc/update/",
        "/dashboard/catalogue/attribute-option-group/abc/delete/",
        "/dashboard/pages/update/abc/", "/dashboard/pages/delete/abc/", "/dashboard/pages/update/%C2%B2/",
        "/dashboard/pages/update/" + "9" * 30 + "/",
    ],
)  # fmt: skip
def test_a_text_where_a_dashboard_url_takes_an_id_is_a_404(path):
    for method in ("get", "post"):
        page = getattr(_staff_client(), method)(path)
        assert page.status_code == 404, (method, page.status_code)
        assert "Page not found" in page.content.decode()


NUL_PATHS = [
    "/certified/%00/", "/certified/OSE-2026-%00/", "/accounts/wishlists/%00/", "/wishlists/%00/",
    "/accounts/alerts/confirm/%00/", "/accounts/alerts/cancel/key/%00/",
    "/payments/stripe/return/%00/%00/", "/dashboard/orders/%00/", "/dashboard/orders/%00/lines/1/",
    "/accounts/orders/%00/", "/licences/%00/", "/designs/%00/", "/storefronts/%00/", "/%00/",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_in_a_path_is_a_404_in_the_shops_layout(path):
    for method in ("get", "post"):
        page = getattr(_staff_client(), method)(path)
        assert page.status_code == 404, (method, page.status_code)
        assert "Page not found" in page.content.decode()


@pytest.mark.django_db
def test_an_operator_product_without_its_offer_is_a_form_error_and_nothing_is_saved(two_operators):
    from catalog.models import Product
    from tests.tiers.test_tier_category_rule import CREATE_URL, _product_form

    store = two_operators["berlin"]
    client = Client(raise_request_exception=False)
    client.force_login(store.operator)
    design = two_operators["printer"].product.design
    data = _product_form(client, title="Ownerless printer", design=design, category=design.category,
                         partner=store.partner)  # fmt: skip
    data["stockrecords-TOTAL_FORMS"] = "0"

    page = client.post(CREATE_URL, data)

    assert page.status_code == 200
    assert "Add your offer: a price and stock for your storefront" in page.content.decode()
    assert not Product.objects.filter(title="Ownerless printer").exists()


@pytest.mark.django_db
def test_the_server_error_page_is_the_shops_own_and_needs_no_context(settings, rf):
    from django.views.defaults import server_error

    settings.DEBUG = False
    page = server_error(rf.get("/"))

    text = page.content.decode()
    assert page.status_code == 500
    assert "Open Source Store" in text and "Something went wrong on our side" in text
    assert 'href="/"' in text and "/static/" in text  # the way home, and the shop's stylesheet


@pytest.mark.django_db
def test_a_form_whose_csrf_token_expired_says_so_in_the_shops_layout():
    client = Client(enforce_csrf_checks=True)

    page = client.post(reverse("customer:login"), {"login-username": "a@example.com", "login-password": "x"})

    text = page.content.decode()
    assert page.status_code == 403
    assert "This form expired" in text and "reload the page and send it again" in text
    assert "Open Source Store" in text and 'id="navbar' in text.lower() or "navbar" in text
