"""An operator's order parts and revenue through the API: ship with carrier and tracking, refund as the dashboard's
form allows, and the statement of its own ledger."""

import pytest

from marketplace.fulfilment.models import OperatorOrder
from tests.api import operator_helpers
from tests.api.operator_helpers import OPERATOR_API, api, token_for

pytestmark = pytest.mark.django_db
paid_parts = operator_helpers.paid_parts  # a fixture
PARTS = OPERATOR_API + "parts/"


def test_an_operator_lists_its_parts_with_lines_and_ships_one(
    two_operators, paid_parts, django_capture_on_commit_callbacks
):
    part = paid_parts["berlin"]
    erp = api(token_for(two_operators["berlin"]))
    listed = erp.get(PARTS, {"status": "to_fulfil"}).json()["results"]
    assert [row["id"] for row in listed] == [part.pk]
    row = listed[0]
    assert row["order"] == part.order.number and row["needs_shipping"] is True
    assert row["shipping_charge"] == "7.50" and row["ship_to"]["postcode"]
    assert [(line["title"], line["line_price_incl_tax"], line["refundable"]) for line in row["lines"]] == [
        ("D3D printer, assembled", "900.00", "900.00")
    ]
    assert erp.get(PARTS, {"status": "shipped"}).json()["results"] == []
    assert erp.get(PARTS, {"status": "nonsense"}).status_code == 400

    refused = erp.post(f"{PARTS}{part.pk}/ship/", {"carrier": "DHL"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Give the carrier and the tracking number so the shopper can follow the parcel."
    with django_capture_on_commit_callbacks(execute=True):
        shipped = erp.post(f"{PARTS}{part.pk}/ship/", {"carrier": "DHL", "tracking_number": "JJD000123"},
                           format="json")  # fmt: skip
    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "JJD000123")
    part.refresh_from_db()
    assert part.status == OperatorOrder.SHIPPED and part.events.filter(status="shipped").exists()


def test_an_operator_refunds_part_of_a_line_never_more_than_is_left(two_operators, paid_parts,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    part = paid_parts["berlin"]
    line = part.lines.get()
    erp = api(token_for(two_operators["berlin"]))
    too_much = erp.post(f"{PARTS}{part.pk}/refund/", {"lines": [{"line": line.pk, "amount": "900.01"}],
                                                      "reason": "Scratched"}, format="json")  # fmt: skip
    assert too_much.status_code == 409
    assert too_much.json()["detail"] == "At most $900.00 is left to refund on that line."
    no_reason = erp.post(f"{PARTS}{part.pk}/refund/", {"lines": [{"line": line.pk, "amount": "10"}], "reason": ""},
                         format="json")  # fmt: skip
    assert no_reason.json()["detail"] == "Say why you refund: the shopper sees it."
    negative = erp.post(f"{PARTS}{part.pk}/refund/", {"lines": [{"line": line.pk, "amount": "-1"}], "reason": "x"},
                        format="json")  # fmt: skip
    assert negative.status_code == 400 and negative.json()["lines"]["0"]["amount"] == ["Amounts cannot be negative."]

    with django_capture_on_commit_callbacks(execute=True):
        refunded = erp.post(f"{PARTS}{part.pk}/refund/", {"lines": [{"line": line.pk, "amount": "100.00"}],
                                                          "shipping_amount": "7.50", "reason": "Scratched"},
                            format="json")  # fmt: skip
    assert refunded.status_code == 201, refunded.json()
    assert (refunded.json()["amount"], refunded.json()["status"]) == ("107.50", "succeeded")
    left = erp.get(f"{PARTS}{part.pk}/").json()["lines"][0]["refundable"]
    assert left == "800.00"


def test_a_line_of_another_operators_part_cannot_be_refunded_through_ones_own(two_operators, paid_parts):
    theirs = paid_parts["lyon"].lines.get()
    refused = api(token_for(two_operators["berlin"])).post(
        f"{PARTS}{paid_parts['berlin'].pk}/refund/", {"lines": [{"line": theirs.pk, "amount": "1.00"}],
                                                      "reason": "x"}, format="json")  # fmt: skip
    assert refused.status_code == 409
    assert refused.json()["detail"] == "A refund can only hold lines of this operator's part of the order."


def test_the_revenue_statement_is_the_operators_own_ledger(two_operators, paid_parts):
    from marketplace.revenue import selectors

    erp = api(token_for(two_operators["berlin"], scope="read"))
    postings = erp.get(OPERATOR_API + "revenue/").json()["results"]
    _store, account = selectors.storefront_account(two_operators["berlin"].operator)
    assert len(postings) == account.postings.count() >= 1
    assert {row["order"] for row in postings} == {paid_parts["berlin"].order.number}
    assert all(isinstance(row["amount"], str) for row in postings)
    summary = erp.get(OPERATOR_API + "revenue/summary/").json()
    assert summary["balance"] == f"{selectors.balance(account):.2f}"
    assert summary["allocation"] == summary["balance"] and summary["currency"] == "USD"
    before = erp.get(OPERATOR_API + "revenue/summary/", {"date_to": "2000-01-01"}).json()
    assert (before["allocation"], before["date_to"]) == ("0.00", "2000-01-01")
    assert erp.get(OPERATOR_API + "revenue/", {"date_from": "2000-01-01"}).json()["count"] == len(postings)
    assert erp.get(OPERATOR_API + "revenue/", {"date_from": "yesterday"}).status_code == 400
