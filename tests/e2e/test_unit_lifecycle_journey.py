"""A unit's life, the issue's journey end to end: the operator of Berlin Fab tries to ship a paid printer, is refused
(its design has a QC checklist and the unit has no record), records a QC that fails (the nozzle runs too cold), is
refused again with the reason, records a passing correction, ships, and prints the label, whose QR code is the
unit's public page. The shopper who bought it opens that page, asks for a repair; the request goes to Berlin Fab (the
nearest holder of the design's mark), whose operator accepts and quotes; the owner pays the quote through the basket
and checkout by bank transfer, the shop confirms the transfer, the operator closes the repair with what was done,
and the unit's page lists it."""

import re

import pytest
import segno
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from marketplace.fulfilment.models import OperatorOrder
from marketplace.lifecycle import labels, selectors
from marketplace.lifecycle.models import QCRecord, QCStep, Unit
from marketplace.payments.services import confirm_offline_payment
from marketplace.stewardship.models import ServiceRequest
from tests import factories
from tests.checkout.test_checkout import ADDRESS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_unit_is_qc_recorded_shipped_labelled_and_repaired_by_the_nearest_mark_holder(
    journey, two_operators, django_capture_on_commit_callbacks
):
    # given a paid order of Berlin Fab's printer by a signed-in shopper, whose design has a QC checklist and whose
    # mark Berlin Fab holds
    journey = journey("unit-lifecycle")
    capture = django_capture_on_commit_callbacks
    printer = two_operators["printer"]
    design = printer.product.design
    berlin = two_operators["berlin"]
    factories.certify(design, holders=[berlin.operator])
    QCStep.objects.create(design=design, position=1, name="Nozzle temperature", kind=QCStep.MEASURE, unit="°C",
                          min_value=195, max_value=215)  # fmt: skip
    QCStep.objects.create(design=design, position=2, name="Axes move freely", kind=QCStep.CHECK)
    owner = factories.UserFactory(email="ada@example.com")
    buyer = Client()
    buyer.force_login(owner)
    order = factories.pay_offline(factories.checkout([printer], capture=capture, client=buyer), capture=capture)
    unit = Unit.objects.get(line__order=order)
    part = OperatorOrder.objects.get(order=order)

    # when the operator opens the order and tries to ship
    operator = journey.person(berlin.operator.email)
    operator.goto(f"/dashboard/orders/{order.number}/")
    row = operator.locator(f"#unit-{unit.pk}")
    expect(row.locator(".unit-serial")).to_have_text(unit.serial)
    expect(row.locator(".qc-state")).to_have_text("QC not recorded")

    def ship():
        form = operator.locator(f"#dashboard-part-{part.pk} .part-status-form")
        form.locator("select[name=status]").select_option("shipped")
        form.locator("input[name=carrier]").fill("DHL")
        form.locator("input[name=tracking_number]").fill("JD014600")
        form.get_by_role("button", name="Update").click()

    ship()
    expect(operator.locator(".alert").first).to_contain_text(f"Record a passing QC for {unit.serial}")
    journey.screenshot(operator, "01-refused-no-record", phone=True)

    # and records a QC whose measured value is out of its limits
    operator.locator(f"#unit-{unit.pk} .record-qc").click()
    expect(operator.locator("h1")).to_contain_text(unit.serial)
    operator.get_by_label("Nozzle temperature").fill("190")
    operator.get_by_label("Pass").check()
    journey.screenshot(operator, "02-record-qc", phone=True)
    operator.get_by_role("button", name="Save QC record").click()
    expect(operator.locator(".alert").first).to_contain_text("failed QC (Nozzle temperature)")
    expect(operator.locator(f"#unit-{unit.pk} .qc-state")).to_have_text("QC failed")

    # then shipping is refused, with the reason and what to do
    ship()
    expect(operator.locator(".alert").first).to_contain_text(f"the last QC of {unit.serial} failed")
    expect(operator.locator(".alert").first).to_contain_text(f"Record a passing QC for {unit.serial}")
    journey.screenshot(operator, "03-refused-failed", phone=True)
    part.refresh_from_db()
    assert part.status == "to_fulfil"

    # when it records a passing correction, the failed record stays in the history, and the part ships
    operator.locator(f"#unit-{unit.pk} .record-qc").click()
    expect(operator.locator(".qc-record")).to_have_count(1)
    operator.get_by_label("Nozzle temperature").fill("205.5")
    operator.get_by_label("Pass").check()
    operator.get_by_role("button", name="Save QC record").click()
    expect(operator.locator(f"#unit-{unit.pk} .qc-state")).to_have_text("QC passed")
    ship()
    expect(operator.locator(".alert").first).to_contain_text("is now “Shipped”")
    expect(operator.locator(f"#unit-{unit.pk} .unit-serial")).to_have_text(unit.serial)
    expect(operator.locator(f"#unit-{unit.pk}")).to_contain_text("In service")
    journey.screenshot(operator, "04-shipped", phone=True)
    assert [record.passed for record in QCRecord.objects.filter(unit=unit).order_by("pk")] == [False, True]
    unit.refresh_from_db()
    assert unit.state == "in_service" and unit.shipped_at is not None

    # and the labels PDF has the unit's label, whose QR code is the unit's public page
    href = operator.locator(f"#part-units-{part.pk} .print-labels").get_attribute("href")
    pdf = operator.request.get(href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.body())) == 1
    target = f"{settings.SITE_URL.rstrip('/')}/units/{unit.serial}/"
    assert selectors.unit_url(unit.serial) == target
    assert list(labels.label_qr(unit.serial).matrix_iter(border=0)) == list(
        segno.make(target, error="m", micro=False).matrix_iter(border=0)
    )
    # records of a shipped unit are final: its QC page says so and offers no form
    operator.goto(f"/dashboard/units/{unit.pk}/qc/")
    expect(operator.locator("#qc-final")).to_be_visible()
    expect(operator.locator("#qc-form")).to_have_count(0)

    # when the owner opens the unit's page at the label's address, and asks for a repair
    shopper = journey.person(owner.email)
    assert target.endswith(selectors.unit_path(unit.serial))
    shopper.goto(selectors.unit_path(unit.serial))  # the label's QR code, on this server
    expect(shopper.locator("#unit-serial")).to_have_text(unit.serial)
    expect(shopper.locator("#unit-state")).to_have_text("In service")
    shopper.locator("#ask-form label[for=id_kind_0]").click()  # Repair
    expect(shopper.get_by_label("Repair")).to_be_checked()
    shopper.get_by_label("What is wrong, or what you would like").fill("The Y axis stutters on long moves.")
    shopper.get_by_label("Where the unit is").fill("Potsdam, DE")
    journey.screenshot(shopper, "05-unit-page-owner", phone=True)
    shopper.locator("#ask-submit").click()

    # then they see where it went and why
    expect(shopper.locator("#routing")).to_contain_text("Berlin Fab")
    expect(shopper.locator("#routing")).to_contain_text("nearest holder of the OSE Certified mark")
    journey.screenshot(shopper, "06-request-routed", phone=True)
    request = ServiceRequest.objects.get()

    # when Berlin Fab's operator accepts it and quotes
    operator.goto("/dashboard/stewardship/requests/")
    operator.locator("#live-requests").get_by_role("link", name="Repair").click()
    operator.locator("#accept").click()
    expect(operator.locator("#request-status")).to_contain_text("Accepted")
    operator.get_by_label("Amount").fill("80.00")
    operator.get_by_label("What it covers").fill("A new Y belt and idler, fitted and tested.")
    journey.screenshot(operator, "07-operator-quote", phone=True)
    operator.locator("#send-quote").click()
    expect(operator.locator("#quote-shown")).to_contain_text("80.00")

    # and the owner pays it through the basket and the checkout, by bank transfer
    shopper.reload()
    expect(shopper.locator("#quote")).to_contain_text("A new Y belt and idler")
    shopper.locator("#pay-quote").click()
    shopper.wait_for_url(re.compile(r"/basket/$"))
    shopper.get_by_role("link", name="Proceed to checkout").click()
    shopper.wait_for_url(re.compile(r"/checkout/$"))
    for field in ("first_name", "last_name", "line1", "line4", "postcode"):
        if shopper.locator(f"#id_{field}").count():
            shopper.fill(f"#id_{field}", ADDRESS[field])
    if shopper.locator("#id_country").count():
        shopper.select_option("#id_country", ADDRESS["country"])
    shopper.get_by_label("Bank transfer").check()
    journey.screenshot(shopper, "08-checkout", phone=True)
    shopper.locator("#place-order").click()
    shopper.wait_for_url(re.compile(r"/checkout/thank-you/"))
    order = owner.orders.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        confirm_offline_payment(order_id=order.pk, actor=factories.UserFactory(is_staff=True), reference="SEPA 42")
    request.refresh_from_db()
    assert request.paid_order == order

    # when the operator closes it with what was done
    operator.reload()
    expect(operator.locator("#request-status")).to_contain_text("quote paid")
    operator.get_by_label("What was done").fill("Replaced the Y belt and idler; squared the frame.")
    operator.locator("#close").click()
    expect(operator.locator("#outcome")).to_contain_text("Replaced the Y belt")

    # then the unit's public page lists the repair, by Berlin Fab, and the unit is in service again
    visitor = journey.person()
    visitor.goto(selectors.unit_path(unit.serial))
    expect(visitor.locator("#service-history")).to_contain_text("Replaced the Y belt and idler")
    expect(visitor.locator("#service-history")).to_contain_text("Berlin Fab")
    expect(visitor.locator("#unit-state")).to_have_text("In service")
    expect(visitor.locator("body")).not_to_contain_text(owner.email)
    journey.screenshot(visitor, "09-unit-page-repaired", phone=True)
