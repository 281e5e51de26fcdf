"""An operator connects its ERP: on its dashboard it creates a write token (shown once, copied), a plain HTTP
client (not a browser) sets an offer's stock with it, the public product page shows the new availability, and once
the operator revokes the token the next call is refused."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _call(url, secret, body):
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own live server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_operator_creates_a_token_its_erp_sets_stock_and_a_revoked_token_stops(journey, live_server):
    # given Berlin Fab selling a printer, 5 in stock
    journey = journey("api-tokens")
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    printer.stockrecords.all().delete()
    offer = factories.offer(berlin, printer, price="900.00", stock=5)

    # when the operator opens API tokens from its dashboard's menu and creates a write token
    operator = journey.person(berlin.operator.email)
    operator.goto("/dashboard/")
    operator.get_by_role("button", name=re.compile("My storefront")).or_(
        operator.get_by_role("link", name=re.compile("My storefront"))
    ).first.click()
    operator.get_by_role("link", name="API tokens").click()
    expect(operator.locator("h1")).to_contain_text("API tokens")
    expect(operator.locator("#no-tokens")).to_be_visible()
    journey.screenshot(operator, "01-no-tokens", phone=True)
    operator.get_by_label("Name").fill("ERP stock sync")
    operator.get_by_label(re.compile("Write")).check()
    operator.get_by_role("button", name="Create token").click()

    # then the token is shown once, with a Copy button and a curl example
    secret = operator.locator("#token-secret").input_value()
    assert secret.startswith("oss_")
    operator.context.grant_permissions(["clipboard-read", "clipboard-write"])
    operator.get_by_role("button", name="Copy").click()
    expect(operator.get_by_role("button", name="Copied")).to_be_visible()
    expect(operator.locator("#curl-example")).to_contain_text("/api/v1/operator/offers/stock/")
    journey.screenshot(operator, "02-token-shown-once", phone=True)
    operator.reload()
    expect(operator.locator("#token-secret")).to_have_count(0)
    expect(operator.locator(".api-token")).to_contain_text(secret[:12])

    # when its ERP, a plain HTTP client, sets the printer's stock to 2
    stock_url = f"{live_server.url}/api/v1/operator/offers/stock/"
    status, body = _call(stock_url, secret, {"offers": [{"sku": offer.partner_sku, "num_in_stock": 2}]})
    assert (status, body["changed"]) == (200, 1)

    # then the public product page tells shoppers only 2 are left
    shopper = journey.person()
    shopper.goto(printer.get_absolute_url())
    expect(shopper.locator("body")).to_contain_text("Only 2 left")

    # when the operator revokes the token, the next call is refused
    operator.reload()
    expect(operator.locator(".last-used")).not_to_have_text("never")
    operator.get_by_role("button", name="Revoke").click()
    expect(operator.locator(".alert-success")).to_contain_text("no longer works")
    journey.screenshot(operator, "03-revoked", phone=True)
    status, body = _call(stock_url, secret, {"offers": [{"sku": offer.partner_sku, "num_in_stock": 9}]})
    assert status == 401 and "revoked" in body["detail"]
    offer.refresh_from_db()
    assert offer.num_in_stock == 2
