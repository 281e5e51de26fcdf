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
        posts.append((client, reverse("payments:refund-part", kwargs={"pk": part.pk}), data))

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
        page = client.post(reverse("payments:refund-part", kwargs={"pk": part.pk}),
                           {f"amount_{line.pk}": "100.00", "reason": "Scratched"}, follow=True)  # fmt: skip

    assert page.status_code == 200 and "Refund of 100.00 USD refunded" in page.content.decode()
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
    page = client.post(reverse("payments:refund-part", kwargs={"pk": part.pk}),
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

    page = client.post(reverse("payments:refund-part", kwargs={"pk": OperatorOrder.objects.get(order=order).pk}),
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
