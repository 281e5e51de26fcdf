"""The operator's Webhooks pages: register an endpoint, see its secret and delivery log, send a test event, open a
delivery and send it again. Another storefront's endpoint or delivery does not exist for it (404)."""

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.webhooks import services
from marketplace.webhooks.models import Delivery, Endpoint
from tests import factories

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_operator_registers_tests_and_sends_again_from_its_dashboard(
    store, receiver, django_capture_on_commit_callbacks
):
    operator = _signed_in(store.operator)
    assert "Webhooks" in operator.get(reverse("webhooks:list")).content.decode()
    page = operator.post(reverse("webhooks:create"), {
        "url": receiver.url, "events": ["part.paid", "offer.out_of_stock"], "description": "Print farm queue",
    }, follow=True)  # fmt: skip
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["part.paid", "offer.out_of_stock"]
    assert endpoint.secret in page.content.decode() and "Nothing sent yet" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        page = operator.post(reverse("webhooks:test", kwargs={"pk": endpoint.pk}), follow=True)
    text = page.content.decode()
    assert "Test event sent" in text and "Delivered" in text
    delivery = Delivery.objects.get()
    detail = operator.get(reverse("webhooks:delivery", kwargs={"pk": delivery.pk})).content.decode()
    assert delivery.event.public_id in detail and "OSS-Signature" in detail and "Print farm queue" not in detail

    with django_capture_on_commit_callbacks(execute=True):
        page = operator.post(reverse("webhooks:replay", kwargs={"pk": delivery.pk}), follow=True)
    assert "Sent again" in page.content.decode() and len(receiver.requests) == 2
    page = operator.post(reverse("webhooks:replay", kwargs={"pk": delivery.pk}), follow=True)
    assert "wait a minute" in page.content.decode() and len(receiver.requests) == 2

    # a second test event at once is refused, with when to try again
    page = operator.post(reverse("webhooks:test", kwargs={"pk": endpoint.pk}), follow=True)
    assert "wait a few seconds" in page.content.decode()


def test_another_storefront_s_endpoint_and_delivery_are_not_found(store, endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(endpoint=endpoint)
    delivery = Delivery.objects.get()
    other = _signed_in(factories.storefront("Berlin Fab", city="Berlin").operator)
    for name, pk in (("endpoint", endpoint.pk), ("delivery", delivery.pk)):
        assert other.get(reverse(f"webhooks:{name}", kwargs={"pk": pk})).status_code == 404
    for name, pk in (("roll-secret", endpoint.pk), ("test", endpoint.pk), ("remove", endpoint.pk),
                     ("replay", delivery.pk)):  # fmt: skip
        assert other.post(reverse(f"webhooks:{name}", kwargs={"pk": pk})).status_code == 404
    assert other.post(reverse("webhooks:endpoint", kwargs={"pk": endpoint.pk}),
                      {"url": "https://evil.example/", "events": ["part.paid"]}).status_code == 404  # fmt: skip
    assert endpoint.secret not in other.get(reverse("webhooks:list")).content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url.startswith("http://127.0.0.1") and Delivery.objects.get().attempts == 1
    # a shopper with no storefront has no webhooks page
    assert _signed_in(factories.UserFactory()).get(reverse("webhooks:list")).status_code == 404


def test_at_most_five_endpoints_and_the_form_refuses_bad_input_with_reasons(store, receiver):
    operator = _signed_in(store.operator)
    create = reverse("webhooks:create")
    for bad, reason in ((
        {"url": receiver.url, "events": []}, "Choose at least one event"), (
        {"url": receiver.url, "events": ["order.everything"]}, "Choose among the events listed"), (
        {"url": "", "events": ["part.paid"]}, "This field is required"), (
        {"url": "x" * 600, "events": ["part.paid"]}, "under 500 characters"), (
        {"url": "-1", "events": ["part.paid"]}, "https://"), (
        {"url": receiver.url, "events": ["part.paid"], "description": "d" * 201}, "under 200 characters"),
    ):  # fmt: skip
        page = operator.post(create, bad)
        assert page.status_code == 200 and reason in page.content.decode(), reason
    for number in range(5):
        operator.post(create, {"url": f"{receiver.url}/{number}", "events": ["part.paid"]})
    page = operator.post(create, {"url": receiver.url, "events": ["part.paid"]})
    assert "at most 5 endpoints" in page.content.decode() and Endpoint.objects.count() == 5


def test_the_log_is_newest_first_and_paginated_and_an_endpoint_can_be_switched_off(
    store, endpoint, receiver, clock, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    for _number in range(22):
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test_event(endpoint=endpoint)
        clock.move_to(timezone.now() + timedelta(seconds=11))
    operator = _signed_in(store.operator)
    url = reverse("webhooks:endpoint", kwargs={"pk": endpoint.pk})
    first = operator.get(url).content.decode()
    newest, older = Delivery.objects.order_by("-pk")[:2]
    assert first.count('class="delivery-row"') == 20 and "Page 1 of 2" in first
    assert first.index(newest.event.public_id[:15]) < first.index(older.event.public_id[:15])
    assert operator.get(url, {"page": 2}).content.decode().count('class="delivery-row"') == 2

    operator.post(url, {"url": endpoint.url, "events": ["part.paid"], "description": ""})  # "active" unticked
    endpoint.refresh_from_db()
    assert endpoint.active is False
    page = operator.post(reverse("webhooks:replay", kwargs={"pk": newest.pk}), follow=True)
    assert "switched off" in page.content.decode()


@pytest.mark.parametrize("allowed", [False, True])
def test_the_pages_say_when_this_shop_calls_its_own_network(store, settings, allowed):
    """A stranger registered http://127.0.0.1:6379/ in the demo with no warning: the demo allows internal
    addresses (so its endpoint reaches its own receiver), and the pages now say so; a production shop says nothing."""
    settings.WEBHOOKS_ALLOW_PRIVATE = allowed
    client = _signed_in(store.operator)
    for name in ("webhooks:list", "webhooks:create"):
        page = client.get(reverse(name)).content.decode()
        assert ('id="internal-allowed"' in page) is allowed, name
