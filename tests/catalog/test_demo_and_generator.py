"""The demo shop shows every catalogue feature; the synthetic generator makes benchmark data."""

import pytest
from django.core.management import call_command

from catalog.models import BillOfMaterialsLine, Design, LicenceTerms, Product
from catalog.standards import completeness
from marketplace.demo import load_demo

pytestmark = pytest.mark.django_db

TEN_GOODS = {
    "Cars", "Houses", "3D printers", "Plumbing fittings", "Potatoes", "Tablets", "CNC circuit mills",
    "Trainable robots", "PV panel production", "Fuel production",
}  # fmt: skip


def test_demo_has_the_ten_goods_each_at_three_levels_and_is_idempotent(client):
    load_demo(report=lambda line: None)
    counts = (Design.objects.count(), Product.objects.count(), BillOfMaterialsLine.objects.count())
    load_demo(report=lambda line: None)
    assert (Design.objects.count(), Product.objects.count(), BillOfMaterialsLine.objects.count()) == counts

    assert set(Design.objects.values_list("category__name", flat=True)) >= TEN_GOODS
    for design in Design.objects.prefetch_related("products", "documents"):
        assert {product.level for product in design.products.all()} == {1, 2, 3}, design
        design.full_clean()  # every demo licence is admissible
    assert LicenceTerms.objects.count() == Design.objects.count()
    scores = {completeness(design.documents.all()) for design in Design.objects.prefetch_related("documents")}
    assert 100 in scores and min(scores) < 100  # some documentation complete, some not
    # designs link to each other, and the D3D printer is made with its own printed parts
    assert BillOfMaterialsLine.objects.filter(component__isnull=False).count() >= 8
    assert BillOfMaterialsLine.objects.filter(design__slug="d3d-printer", component__slug="d3d-printer").exists()

    page = client.get("/designs/d3d-printer/").content.decode()
    assert "Used in" in page and "CNC circuit mill" in page


def test_generator_adds_designs_at_three_levels_with_progress(capsys):
    call_command("generate_designs", "--count", "150", "--batch-size", "100")
    out = capsys.readouterr().out
    assert "150/150 designs" in out and "Generated 150 designs" in out
    assert Design.objects.filter(slug__startswith="synthetic-").count() == 150
    assert Product.objects.filter(design__slug__startswith="synthetic-").count() == 450
    call_command("generate_designs", "--count", "50")  # a second run adds more, without slug clashes
    assert Design.objects.filter(slug__startswith="synthetic-").count() == 200


def test_generator_refuses_a_non_positive_count():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="must be positive"):
        call_command("generate_designs", "--count", "0")


def test_demo_sells_licences_only_through_mark_holders_and_shows_holder_and_non_holder(client):
    load_demo(report=lambda line: None)
    from oscar.core.loading import get_model

    StockRecord = get_model("partner", "StockRecord")
    licence_sellers = set(StockRecord.objects.filter(product__level=3).values_list("product__design__slug", flat=True))
    assert licence_sellers == {"d3d-printer", "ceb-press"}  # the certified designs
    holder = client.get("/stores/apartment-fab/").content.decode()
    non_holder = client.get("/stores/garage-works/").content.decode()
    assert 'class="ose-certified"' in holder and 'class="ose-certified"' not in non_holder
    assert "D3D printer, assembled" in holder and "D3D printer, assembled" in non_holder


def test_demo_shows_half_a_year_of_orders_fulfilment_refunds_and_payouts():
    load_demo(report=lambda line: None)
    load_demo(report=lambda line: None)  # nothing twice
    from oscar.core.loading import get_model

    from marketplace.fulfilment.models import DistributionLicence, LineFulfilment, OperatorOrder
    from marketplace.payments.models import Refund
    from marketplace.revenue.models import JournalEntry, Payout
    from marketplace.revenue.selectors import fund_by_month, ledger_total, unbalanced_entries

    Order = get_model("order", "Order")
    # half a year of the shopper's orders, and the repair quote they paid (marketplace/demo/stewardship.py)
    assert Order.objects.count() == 8 and Order.objects.filter(status="Pending").count() == 1
    latest_paid = Order.objects.filter(status="Paid").exclude(lines__product__is_public=False).latest("date_placed")
    assert {line.partner_name for line in latest_paid.lines.all()} == {
        "Apartment Fab", "Homestead Hub", "Garage Works",
    }  # fmt: skip
    for order in Order.objects.filter(status="Paid"):
        assert order.sources.get().amount_debited == order.total_incl_tax
        assert JournalEntry.objects.filter(order=order, kind=JournalEntry.ALLOCATION).count() == 1
    assert ledger_total() == 0 and not unbalanced_entries().exists()
    assert len(fund_by_month("campus_fund")) == 6  # money in every month of the half year
    statuses = set(OperatorOrder.objects.values_list("status", flat=True))
    assert {OperatorOrder.AWAITING_PAYMENT, OperatorOrder.TO_FULFIL, OperatorOrder.SHIPPED, OperatorOrder.COMPLETE} <= (
        statuses
    )
    kinds = set(LineFulfilment.objects.values_list("kind", flat=True))
    assert kinds == {LineFulfilment.SHIPMENT, LineFulfilment.DOWNLOAD, LineFulfilment.ENROLMENT, LineFulfilment.LICENCE,
                     LineFulfilment.SERVICE}  # the repair quote the shopper paid (marketplace/demo/stewardship.py)
    assert DistributionLicence.objects.count() == 1
    assert Refund.objects.get().status == Refund.SUCCEEDED
    assert set(Payout.objects.values_list("status", flat=True)) == {Payout.PAID, Payout.PENDING}


def test_the_demo_has_a_picture_for_every_design_and_product_its_footer_pages_and_an_address_book(
    client, settings, tmp_path
):
    from django.contrib.flatpages.models import FlatPage
    from oscar.core.loading import get_model

    settings.MEDIA_ROOT = tmp_path
    users = load_demo(report=lambda line: None)
    assert not Design.objects.filter(images__isnull=True).exists()
    assert not Product.objects.filter(images__isnull=True, is_public=True).exists()  # (a repair's quote is hidden)
    page = client.get(Product.objects.get(upc="d3d-printer-L1").get_absolute_url()).content.decode()
    assert "Image Not Available" not in page and "image_not_found" not in page

    assert set(FlatPage.objects.values_list("url", flat=True)) >= {"/about/", "/contact/", "/terms/", "/privacy/",
                                                                    "/returns/"}  # fmt: skip
    assert get_model("address", "UserAddress").objects.filter(user=users["shopper"]).count() == 1
