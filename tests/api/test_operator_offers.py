"""An operator's offers through the API: the tier rules and the mark rule as the dashboard enforces them, every
price and stock bounded with the dashboard's words, and the ERP's stock sync seen on the public product page."""

from decimal import Decimal

import pytest

from tests import factories
from tests.api.operator_helpers import OPERATOR_API, api, token_for

pytestmark = pytest.mark.django_db
OFFERS = OPERATOR_API + "offers/"


def test_a_tier_that_may_not_sell_a_level_is_refused_with_the_tiers_reason(two_operators):
    from tiers.models import Tier

    licence = two_operators["licence"].product
    store = factories.storefront("Letters Fab", tier="background-2", city="Portland")
    refused = api(token_for(store)).post(OFFERS, {"product": licence.pk, "price": "10.00"}, format="json")
    assert refused.status_code == 409
    tier = Tier.objects.get(code="background-2")
    assert refused.json() == {"detail": f"The {tier.name} tier may not offer level 3 (distribution licence): it "
                                        "offers level 1 (product), level 2 (production)."}  # fmt: skip
    assert not store.partner.stockrecords.exists()


def test_only_a_mark_holder_may_offer_a_distribution_licence(two_operators):
    licence = two_operators["licence"].product
    refused = api(token_for(two_operators["berlin"])).post(OFFERS, {"product": licence.pk, "price": "10.00"},
                                                           format="json")  # fmt: skip
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Only holders of the OSE Certified mark for CNC mill may offer its "
        "distribution licence: contribute to its certification first."
    )
    # the mark holder, Lyon, may: its licence offer is on sale (through the same rule)
    lyon = api(token_for(two_operators["lyon"])).get(OFFERS, {"level": 3}).json()
    assert [row["product"]["id"] for row in lyon["results"]] == [licence.pk]


def test_an_operator_offers_a_product_and_money_is_a_decimal_string(two_operators):
    mill = two_operators["mill"].product
    created = api(token_for(two_operators["berlin"])).post(
        OFFERS, {"product": mill.pk, "price": 1.5, "num_in_stock": 0, "sku": "MILL-1"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["price"] == "1.50" and body["currency"] == "USD" and body["sku"] == "MILL-1"
    assert body["num_in_stock"] == 0 and body["on_sale"] is True
    again = api(token_for(two_operators["berlin"], name="2")).post(OFFERS, {"product": mill.pk, "price": "2"},
                                                                   format="json")  # fmt: skip
    assert again.status_code == 409
    assert again.json()["detail"].startswith("You already offer “CNC mill, assembled”")


@pytest.mark.parametrize(
    "field, value, said",
    [
        ("price", -1, "The price must be at least 0.01."), ("price", 0, "The price must be at least 0.01."),
        ("price", 10**9, "The price must be at most 9999999.99."),
        ("price", "1.555", "A price has at most two digits after the point."),
        ("price", "text", "That is not a price"), ("price", "NaN", "That is not a price"),
        ("num_in_stock", -1, "num_in_stock must be a whole number from 0 to 1,000,000."),
        ("num_in_stock", 10**9, "num_in_stock must be a whole number from 0 to 1,000,000."),
        ("num_in_stock", 1.5, "num_in_stock must be a whole number from 0 to 1,000,000."),
        ("num_in_stock", "text", "num_in_stock must be a whole number from 0 to 1,000,000."),
    ],
)  # fmt: skip
def test_price_and_stock_are_bounded_as_on_the_dashboard(two_operators, field, value, said):
    offer = two_operators["printer"]
    refused = api(token_for(two_operators["berlin"])).patch(f"{OFFERS}{offer.pk}/", {field: value}, format="json")
    assert refused.status_code == 400
    assert refused.json()[field][0].startswith(said)
    offer.refresh_from_db()
    assert (offer.price, offer.num_in_stock) == (Decimal("900.00"), 5)


def test_stock_cannot_go_below_what_orders_hold(two_operators):
    offer = two_operators["printer"]
    type(offer).objects.filter(pk=offer.pk).update(num_allocated=3)
    refused = api(token_for(two_operators["berlin"])).patch(f"{OFFERS}{offer.pk}/", {"num_in_stock": 2},
                                                            format="json")  # fmt: skip
    assert refused.status_code == 409
    assert refused.json()["detail"] == "3 units are allocated to orders not yet shipped: stock cannot go below that."


def test_withdraw_and_relist(client, two_operators):
    offer = two_operators["printer"]
    secret = token_for(two_operators["berlin"])
    withdrawn = api(secret).post(f"{OFFERS}{offer.pk}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["on_sale"] is False
    assert [row["id"] for row in api(secret).get(OFFERS, {"on_sale": "false"}).json()["results"]] == [offer.pk]
    assert "Add to basket" not in client.get(offer.product.get_absolute_url()).content.decode()
    relisted = api(secret).post(f"{OFFERS}{offer.pk}/relist/")
    assert relisted.status_code == 200 and relisted.json()["on_sale"] is True


def test_an_erp_keeps_its_stock_in_sync_through_the_api_alone(client, two_operators):
    # given Berlin's ERP with a write token, and a second offer of Berlin's
    berlin = two_operators["berlin"]
    mill = factories.offer(berlin, two_operators["mill"].product, price="1300.00", stock=9)
    erp = api(token_for(berlin))
    printer = two_operators["printer"]
    product_page = printer.product.get_absolute_url()
    assert "Sold out" not in client.get(product_page).content.decode()

    # when it lists its offers, and sets their stock in one call
    listed = {row["sku"]: row for row in erp.get(OFFERS).json()["results"]}
    assert set(listed) == {printer.partner_sku, mill.partner_sku}
    rows = [{"sku": printer.partner_sku, "num_in_stock": 0}, {"sku": mill.partner_sku, "num_in_stock": 3}]
    synced = erp.post(OFFERS + "stock/", {"offers": rows}, format="json")

    # then both changed, and the public product page says so
    assert synced.status_code == 200, synced.json()
    assert synced.json()["changed"] == 2
    assert {row["sku"]: row["num_in_stock"] for row in synced.json()["offers"]} == {
        printer.partner_sku: 0,
        mill.partner_sku: 3,
    }
    assert "Sold out" in client.get(product_page).content.decode()
    assert "Only 3 left" in client.get(mill.product.get_absolute_url()).content.decode()


def test_a_bulk_stock_update_with_one_bad_row_changes_nothing_and_names_every_bad_row(two_operators):
    berlin = two_operators["berlin"]
    printer = two_operators["printer"]
    mill = factories.offer(berlin, two_operators["mill"].product, price="1300.00", stock=9)
    type(mill).objects.filter(pk=mill.pk).update(num_allocated=2)
    rows = [{"sku": printer.partner_sku, "num_in_stock": 1}, {"sku": "NOT-MINE", "num_in_stock": 1},
            {"sku": mill.partner_sku, "num_in_stock": 1}, {"sku": printer.partner_sku, "num_in_stock": 4},
            {"sku": two_operators["mill"].partner_sku, "num_in_stock": 0}]  # the last is Lyon's  # fmt: skip
    refused = api(token_for(berlin)).post(OFFERS + "stock/", {"offers": rows}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "Nothing was changed: 4 of 5 rows cannot be applied."
    assert [(row["row"], row["errors"]) for row in refused.json()["rows"]] == [
        (1, ["no offer of yours has this SKU"]),
        (2, ["2 units are allocated to orders not yet shipped: stock cannot go below that"]),
        (3, ["this SKU is on an earlier row too"]), (4, ["no offer of yours has this SKU"]),
    ]  # fmt: skip
    printer.refresh_from_db()
    assert printer.num_in_stock == 5
    two_operators["mill"].refresh_from_db()
    assert two_operators["mill"].num_in_stock == 5


@pytest.mark.parametrize("body", [{}, {"offers": []}, {"offers": "x"}, {"offers": [{"sku": "A"}]},
                                  {"offers": [{"sku": "A", "num_in_stock": -1}]}, [1, 2]])  # fmt: skip
def test_a_malformed_bulk_stock_update_is_a_400(two_operators, body):
    assert api(token_for(two_operators["berlin"])).post(OFFERS + "stock/", body, format="json").status_code == 400
