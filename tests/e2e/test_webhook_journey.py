"""An operator connects its own system: from its dashboard's menu it opens Webhooks, is told why an internal address
is refused, registers its receiver, sends a test event, sees it delivered in the log (the receiver verified the
signature with the secret the page shows), opens the delivery and sends it again: the same event id arrives twice."""

import json
import re

import pytest
from playwright.sync_api import expect

from marketplace.webhooks import signing
from tests import factories
from tests.webhooks.conftest import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True  # the receiver is on this machine, over plain http
    running = Receiver()
    yield running
    running.stop()


def test_an_operator_registers_its_receiver_sends_a_test_event_and_sends_it_again(journey, receiver, settings):
    # given an operator, signed in
    journey = journey("webhooks")
    store = factories.storefront("Apartment Fab", tier="microfactory-1")
    operator = journey.person(store.operator.email)

    # when it opens Webhooks from the dashboard's menu and gives an internal address
    operator.goto("/dashboard/")
    operator.get_by_role("button", name=re.compile("My storefront")).or_(
        operator.get_by_role("link", name=re.compile("My storefront"))
    ).first.click()
    operator.get_by_role("link", name="Webhooks").click()
    expect(operator.locator("#no-endpoints")).to_be_visible()
    operator.click("#register-endpoint")
    operator.fill("#id_url", "https://169.254.169.254/latest/meta-data/")
    operator.check("input[value='part.paid']")
    operator.fill("#id_description", "Print farm queue")
    operator.click("#endpoint-form button[type=submit]")

    # then it is told why, and keeps what it typed
    expect(operator.locator("#endpoint-form")).to_contain_text("169.254.169.254 is an internal address")
    expect(operator.locator("#id_description")).to_have_value("Print farm queue")
    journey.screenshot(operator, "01-internal-address-refused", phone=True)

    # when it registers its own receiver (this machine is allowed here, as in the demo)
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    operator.fill("#id_url", receiver.url)
    operator.click("#endpoint-form button[type=submit]")
    secret = operator.locator("#secret").inner_text().strip()
    assert secret.startswith("whsec_")

    # and sends a test event
    operator.click("#send-test")

    # then the log shows it delivered, and the receiver verified it with the secret the page shows
    expect(operator.locator(".delivery-row").first).to_contain_text("Delivered")
    [request] = receiver.requests
    assert signing.verify(request["body"], request["headers"]["OSS-Signature"], secret)
    event_id = json.loads(request["body"])["id"]
    journey.screenshot(operator, "02-test-event-delivered", phone=True)

    # when it opens the delivery and sends it again
    operator.locator(".delivery-row a").first.click()
    expect(operator.locator("#event-id")).to_have_text(event_id)
    operator.click("#send-again")

    # then a second attempt carries the same event id, freshly signed
    expect(operator.locator(".attempt-row")).to_have_count(2)
    expect(operator.locator(".attempt-row").first).to_contain_text("sent again")
    assert [r["headers"]["OSS-Event"] for r in receiver.requests] == [event_id, event_id]
    assert signing.verify(receiver.requests[1]["body"], receiver.requests[1]["headers"]["OSS-Signature"], secret)
    journey.screenshot(operator, "03-sent-again", phone=True)
