"""An operator runs its own offers from its dashboard's offers page: it offers a product another operator sells
too, or a new product of a design; changes its price, stock and SKU; restocks; withdraws and relists; changes many
at once from a CSV file previewed row by row. It only ever touches its own stock records."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.storefronts.selectors import live_offers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin(client, two_operators):
    client.force_login(two_operators["berlin"].operator)
    return two_operators


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_offers_page_lists_the_operators_own_offers_only(client, berlin):
    response = client.get(reverse("storefronts:offers"))
    assert response.status_code == 200
    page = _text(response)
    assert "D3D printer, assembled" in page
    assert "CNC mill" not in page  # Lyon's offers
    assert [row["offer"] for row in response.context["rows"]] == [berlin["printer"]]


@pytest.mark.parametrize("action", ["offer-update", "offer-restock", "offer-withdraw", "offer-relist"])
def test_another_operators_offer_is_not_found(client, berlin, action):
    lyon_offer = berlin["mill"]
    response = client.post(reverse(f"storefronts:{action}", args=[lyon_offer.pk]),
                           {f"offer-{lyon_offer.pk}-price": "1.00", "quantity": "5"})  # fmt: skip
    assert response.status_code == 404
    lyon_offer.refresh_from_db()
    assert (lyon_offer.price, lyon_offer.num_in_stock, lyon_offer.withdrawn_at) == (Decimal("1400.00"), 5, None)


def test_someone_without_a_storefront_is_told_what_the_page_is_for(client, berlin):
    client.force_login(factories.UserFactory(is_staff=True))
    response = client.get(reverse("storefronts:offers"))
    assert response.status_code == 403
    assert "Open a storefront" in _text(response)


def test_an_operator_offers_a_product_another_operator_sells_at_its_own_price(client, berlin):
    mill = berlin["mill"].product
    found = client.get(reverse("storefronts:offer-create"), {"q": "mill"})
    assert found.status_code == 200
    products = dict(found.context["found"])
    assert products[mill] is None
    # the licence needs the mark, which Berlin does not hold: the page says so before any price is typed
    assert "OSE Certified mark" in products[berlin["licence"].product]

    response = client.post(reverse("storefronts:offer-create") + "?q=mill", {
        "kind": "existing", "existing-product": mill.pk, "existing-price": "1350.00", "existing-num_in_stock": "2",
    }, follow=True)  # fmt: skip
    assert "On sale: CNC mill, assembled at $1,350.00." in _messages(response)
    own = mill.stockrecords.get(partner=berlin["berlin"].partner)
    assert (own.price, own.num_in_stock) == (Decimal("1350.00"), 2)
    berlin["mill"].refresh_from_db()
    assert berlin["mill"].price == Decimal("1400.00")  # Lyon's own offer is untouched
    assert {offer.partner_id for offer in live_offers().filter(product=mill)} == {
        berlin["berlin"].partner_id, berlin["lyon"].partner_id,
    }  # fmt: skip


def test_a_tier_refusal_saves_nothing_and_says_why_at_the_top(client, berlin):
    licence = berlin["licence"].product
    response = client.post(reverse("storefronts:offer-create"), {
        "kind": "existing", "existing-product": licence.pk, "existing-price": "4000.00",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Nothing was saved" in " ".join(_messages(response))
    assert "Only holders of the OSE Certified mark" in _text(response)
    assert not licence.stockrecords.filter(partner=berlin["berlin"].partner).exists()


def test_offering_the_same_product_twice_is_refused(client, berlin):
    printer = berlin["printer"].product
    response = client.post(reverse("storefronts:offer-create"), {
        "kind": "existing", "existing-product": printer.pk, "existing-price": "800.00", "existing-num_in_stock": "1",
    })  # fmt: skip
    assert "You already offer" in _text(response)
    assert printer.stockrecords.count() == 1


def test_an_operator_makes_a_new_product_of_a_design_and_owns_it(client, berlin):
    from catalog.models import ProductClass

    design = berlin["printer"].product.design
    kit = ProductClass.objects.get(slug="level-2-microfactory")
    response = client.post(reverse("storefronts:offer-create"), {
        "kind": "new", "new-design": design.pk, "new-product_class": kit.pk, "new-title": "D3D printer workshop kit",
        "new-description": "<script>alert(1)</script>Build it in a weekend", "new-price": "450.00",
        "new-num_in_stock": "4",
    }, follow=True)  # fmt: skip
    assert "On sale: D3D printer workshop kit at $450.00." in _messages(response)
    product = design.products.get(title="D3D printer workshop kit")
    assert (product.level, product.is_public) == (2, True)
    assert list(product.categories.all()) == [design.category]
    assert [offer.partner for offer in product.stockrecords.all()] == [berlin["berlin"].partner]
    # its page shows the new offer, with the description as text, never as a script
    page = client.get(product.get_absolute_url())
    assert b"<script>alert(1)" not in page.content
    assert "450.00" in _text(page)


@pytest.mark.parametrize(
    "price, stock, error",
    [
        ("-1", "3", "greater than or equal to 0.01"),
        ("0", "3", "greater than or equal to 0.01"),
        ("1000000000", "3", "less than or equal to 9999999.99"),
        ("12.345", "3", "no more than 2 decimal places"),
        ("cheap", "3", "Enter a number"),
        ("10.00", "-1", "greater than or equal to 0"),
        ("10.00", "1000000000", "less than or equal to 1000000"),
        ("10.00", "1.5", "Enter a whole number"),
        ("10.00", "lots", "Enter a whole number"),
        ("10.00", "", "Say how many units"),
    ],
)
def test_a_bad_price_or_stock_is_explained_and_changes_nothing(client, berlin, price, stock, error):
    offer = berlin["printer"]
    response = client.post(reverse("storefronts:offer-update", args=[offer.pk]), {
        f"offer-{offer.pk}-price": price, f"offer-{offer.pk}-num_in_stock": stock, f"offer-{offer.pk}-sku": "X1",
    }, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert error in " ".join(_messages(response))
    offer.refresh_from_db()
    assert (offer.price, offer.num_in_stock) == (Decimal("900.00"), 5)


def test_reprice_restock_withdraw_and_relist(client, berlin):
    offer, product = berlin["printer"], berlin["printer"].product
    prefix = f"offer-{offer.pk}"
    client.post(reverse("storefronts:offer-update", args=[offer.pk]),
                {f"{prefix}-price": "875.50", f"{prefix}-num_in_stock": "5", f"{prefix}-sku": "BF-D3D"})  # fmt: skip
    response = client.post(reverse("storefronts:offer-restock", args=[offer.pk]), {"quantity": "3"}, follow=True)
    assert "D3D printer, assembled: 8 in stock." in _messages(response)
    offer.refresh_from_db()
    assert (offer.price, offer.num_in_stock, offer.partner_sku) == (Decimal("875.50"), 8, "BF-D3D")
    for quantity in ("0", "-2", "100001", "1.5", "x"):
        response = client.post(reverse("storefronts:offer-restock", args=[offer.pk]), {"quantity": quantity},
                               follow=True)  # fmt: skip
        assert any(message.startswith("D3D printer, assembled: ") for message in _messages(response)), quantity
    offer.refresh_from_db()
    assert offer.num_in_stock == 8

    response = client.post(reverse("storefronts:offer-withdraw", args=[offer.pk]), follow=True)
    assert "no longer on sale" in " ".join(_messages(response))
    assert "Withdrawn" in _text(response)
    assert not live_offers().filter(pk=offer.pk).exists()
    client.logout()
    assert "875.50" not in _text(client.get(product.get_absolute_url()))
    basket = client.post(reverse("basket:add", args=[product.pk]), {"quantity": 1, "offer": offer.pk}, follow=True)
    assert basket.context["basket"].num_lines == 0

    client.force_login(berlin["berlin"].operator)
    response = client.post(reverse("storefronts:offer-relist", args=[offer.pk]), follow=True)
    assert "On sale again: D3D printer, assembled." in _messages(response)
    assert live_offers().filter(pk=offer.pk).exists()


def _upload(client, text: str):
    upload = SimpleUploadedFile("offers.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("storefronts:offers-csv-upload"), {"file": upload})


def test_a_csv_file_is_previewed_then_written_whole(client, berlin):
    mill = berlin["mill"].product
    second = factories.offer(berlin["berlin"], mill, price="1300.00", stock=1)
    printer = berlin["printer"]
    download = client.get(reverse("storefronts:offers-csv"))
    assert download["Content-Type"].startswith("text/csv")
    lines = download.content.decode().splitlines()
    assert lines[0] == "sku,price,num_in_stock,title,level,withdrawn"
    assert len(lines) == 3

    text = f"sku,price,num_in_stock\n{printer.partner_sku},850.00,\n{second.partner_sku},1250.00,4\n"
    preview = _upload(client, text)
    assert preview.status_code == 200
    assert "2 offers will change" in _text(preview)
    printer.refresh_from_db()
    assert printer.price == Decimal("900.00")  # nothing written by the preview

    response = client.post(reverse("storefronts:offers-csv-apply"), {"text": text}, follow=True)
    assert "2 offers changed from the file." in _messages(response)
    printer.refresh_from_db()
    second.refresh_from_db()
    assert (printer.price, printer.num_in_stock) == (Decimal("850.00"), 5)  # empty stock kept
    assert (second.price, second.num_in_stock) == (Decimal("1250.00"), 4)


def test_a_csv_file_with_one_bad_row_writes_nothing_and_names_the_row(client, berlin):
    printer, lyon_mill = berlin["printer"], berlin["mill"]
    text = (
        "sku,price,num_in_stock\n"
        f"{printer.partner_sku},850.00,7\n"
        f"{lyon_mill.partner_sku},1.00,1\n"  # another operator's SKU
        f"{printer.partner_sku}x,-1,1.5\n"
        '"=HYPERLINK(""http://evil"")",1e999,²\n'
    )
    preview = _upload(client, text)
    page = _text(preview)
    assert "3 rows cannot be used: nothing will be written" in page
    assert "no offer of yours has this SKU" in page
    assert "price must be between 0.01 and 9999999.99" in page
    assert "num_in_stock must be a whole number" in page
    assert "Write these changes" not in page
    # posted anyway (a forged confirmation): the file is read again, and nothing is written
    response = client.post(reverse("storefronts:offers-csv-apply"), {"text": text}, follow=True)
    assert "Nothing was written: line 3" in " ".join(_messages(response))
    printer.refresh_from_db()
    lyon_mill.refresh_from_db()
    assert (printer.price, printer.num_in_stock, lyon_mill.price) == (Decimal("900.00"), 5, Decimal("1400.00"))


@pytest.mark.parametrize(
    "content, error",
    [
        (b"name,cost\nx,1\n", "must name the columns sku, price, num_in_stock"),
        (b"sku,price,num_in_stock\n", "no rows under its header"),
        ("sku,price,num_in_stock\nä,1,1\n".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ],
)
def test_a_file_that_is_not_a_price_list_is_explained(client, berlin, content, error):
    upload = SimpleUploadedFile("offers.csv", content, content_type="text/csv")
    response = client.post(reverse("storefronts:offers-csv-upload"), {"file": upload})
    assert response.status_code == 200
    assert error in _text(response)


def test_the_downloaded_file_never_runs_as_a_spreadsheet_formula(client, berlin):
    product = berlin["printer"].product
    product.title = "=HYPERLINK(\"http://evil\",\"x\")"
    product.save()
    lines = client.get(reverse("storefronts:offers-csv")).content.decode().splitlines()
    assert "'=HYPERLINK" in lines[1]


def test_an_offer_with_nothing_left_says_sold_out_not_live(client, berlin):
    offer = berlin["printer"]
    offer.num_in_stock, offer.num_allocated = 2, 2  # both units sold to orders not yet shipped
    offer.save()

    page = client.get(reverse("storefronts:offers")).content.decode()

    card = page.split(f'id="product-{offer.product_id}"')[1][:1500]
    assert "Sold out" in card and ">Live<" not in card
