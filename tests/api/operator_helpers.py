"""What the operator API tests share: a storefront's token, and a client that sends it."""

import pytest
from rest_framework.test import APIClient

from tests import factories

OPERATOR_API = "/api/v1/operator/"


def token_for(storefront, scope="write", name="ERP sync"):
    from marketplace.api import tokens

    return tokens.create_token(storefront=storefront, name=name, scope=scope, created_by=storefront.operator)[1]


def api(secret=None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def paid_parts(two_operators, django_capture_on_commit_callbacks):
    """Berlin's printer and Lyon's mill, each bought by its own shopper and paid by bank transfer."""
    from marketplace.fulfilment.models import OperatorOrder

    capture = django_capture_on_commit_callbacks
    parts = {}
    for key, offer in (("berlin", two_operators["printer"]), ("lyon", two_operators["mill"])):
        order = factories.pay_offline(factories.checkout([offer], capture=capture, email=f"{key}@example.com"),
                                      capture=capture)  # fmt: skip
        parts[key] = OperatorOrder.objects.get(order=order)
    return parts


def operator_fixture_data(open_data, *, capture):
    """What the operator endpoints' schema run works on, beside ``open_data``'s offers: a paid order part of the
    active storefront (to list, ship and refund)."""
    from oscar.core.loading import get_model

    offer = get_model("partner", "StockRecord").objects.get(partner=open_data["fab"].partner,
                                                            product=open_data["printer_1"])  # fmt: skip
    return factories.pay_offline(factories.checkout([offer], capture=capture, email="erp@example.com"), capture=capture)
