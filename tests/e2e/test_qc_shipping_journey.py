"""A producer's quality control before shipping: the operator of Berlin Fab tries to ship a paid printer, is refused
(its design has a QC checklist and the unit has no record), records a QC that fails (the nozzle runs too cold), is
refused again with the reason, records a passing correction, ships, and sees the unit's serial in service; the
label's QR code leads to the unit's public page."""

import re

import pytest
import segno
from django.conf import settings
from playwright.sync_api import expect

from marketplace.fulfilment.models import OperatorOrder
from marketplace.lifecycle import labels, selectors
from marketplace.lifecycle.models import QCRecord, QCStep, Unit
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_operator_records_qc_is_refused_on_a_failure_corrects_it_and_ships(
    journey, two_operators, django_capture_on_commit_callbacks
):
    # given a paid order of Berlin Fab's printer, whose design has a QC checklist
    journey = journey("qc-shipping")
    capture = django_capture_on_commit_callbacks
    printer = two_operators["printer"]
    design = printer.product.design
    QCStep.objects.create(design=design, position=1, name="Nozzle temperature", kind=QCStep.MEASURE, unit="°C",
                          min_value=195, max_value=215)  # fmt: skip
    QCStep.objects.create(design=design, position=2, name="Axes move freely", kind=QCStep.CHECK)
    order = factories.pay_offline(factories.checkout([printer], capture=capture), capture=capture)
    unit = Unit.objects.get(line__order=order)
    part = OperatorOrder.objects.get(order=order)

    # when the operator opens the order and tries to ship
    operator = journey.person(two_operators["berlin"].operator.email)
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
