"""A hostile operator must not make our worker call our own network: a URL whose host is, or resolves to, a loopback,
private, link-local or reserved address is refused at registration and again at delivery (DNS can change)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from marketplace.webhooks import services, targets
from marketplace.webhooks.models import Delivery, Endpoint
from tests import factories

pytestmark = pytest.mark.django_db

INTERNAL = [
    "https://127.0.0.1/hooks",
    "https://10.1.2.3/hooks",
    "https://192.168.0.10:8443/hooks",
    "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://0.0.0.0/",  # noqa: S104
    "https://100.64.0.1/",  # carrier-grade NAT
    "https://localhost/hooks",  # a name that resolves to loopback
]


@pytest.fixture
def public_dns(monkeypatch):
    """A DNS that answers what the test says (nothing here may reach the real one)."""
    answers = {"erp.example.com": ["93.184.215.14"], "localhost": ["127.0.0.1", "::1"]}

    def resolve(host, port):
        if host in answers:
            return answers[host]
        if any(char.isalpha() for char in host.replace("::ffff", "")):
            raise targets.TargetRefused(f"The host “{host}” could not be found.")
        return [host]

    monkeypatch.setattr(targets, "resolve", resolve)
    return answers


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused_at_registration_with_the_reason(url, public_dns):
    store = factories.storefront("Apartment Fab")
    with pytest.raises(ValidationError) as refusal:
        services.register_endpoint(storefront=store, url=url, events=["part.paid"])
    assert "internal address" in refusal.value.message_dict["url"][0]
    assert not Endpoint.objects.exists()


def test_http_is_refused_unless_a_setting_allows_it(public_dns, settings):
    store = factories.storefront("Apartment Fab")
    with pytest.raises(ValidationError, match="https://"):
        services.register_endpoint(storefront=store, url="http://erp.example.com/hooks", events=["part.paid"])
    for url in ("ftp://erp.example.com/", "https://user:pw@erp.example.com/", "https:///nohost", "erp.example.com"):
        with pytest.raises(ValidationError):
            services.register_endpoint(storefront=store, url=url, events=["part.paid"])
    settings.WEBHOOKS_ALLOW_HTTP = True
    assert services.register_endpoint(storefront=store, url="http://erp.example.com/hooks", events=["part.paid"])


def test_a_name_that_later_resolves_inside_is_refused_at_delivery(public_dns, django_capture_on_commit_callbacks):
    store = factories.storefront("Apartment Fab")
    endpoint = services.register_endpoint(storefront=store, url="https://erp.example.com/hooks", events=["part.paid"])

    public_dns["erp.example.com"] = ["169.254.169.254"]  # the operator changes its DNS record
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(endpoint=endpoint)

    delivery = Delivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and "169.254.169.254" in attempt.error and "internal address" in attempt.error
    assert delivery.status == Delivery.PENDING  # retried later, checked again each time


def test_the_dashboard_says_why_an_internal_url_is_refused_and_keeps_what_was_typed(public_dns):
    store = factories.storefront("Apartment Fab")
    operator = Client()
    operator.force_login(store.operator)
    page = operator.post(reverse("webhooks:create"), {"url": "https://10.0.0.7/erp", "events": ["part.paid"],
                                                      "description": "Our ERP"})  # fmt: skip
    text = page.content.decode()
    assert page.status_code == 200 and "internal address" in text
    assert 'value="https://10.0.0.7/erp"' in text and 'value="Our ERP"' in text
    assert not Endpoint.objects.exists()


def test_is_public():
    assert targets.is_public("93.184.215.14") and targets.is_public("2606:4700::1111")
    for address in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1", "fe80::1",
                    "fc00::1", "::ffff:10.0.0.1", "224.0.0.1", "240.0.0.1", "0.0.0.0"):  # noqa: S104  # fmt: skip
        assert not targets.is_public(address), address


def test_a_url_with_spaces_is_sent_encoded(local_receiving, receiver, django_capture_on_commit_callbacks):
    store = factories.storefront("Apartment Fab")
    endpoint = services.register_endpoint(storefront=store, url=f"{receiver.url}?system=print farm <1>",
                                          events=["part.paid"])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(endpoint=endpoint)
    assert receiver.requests[0]["path"] == "/hooks/oss?system=print%20farm%20%3C1%3E"
    assert Delivery.objects.get().status == Delivery.DELIVERED
