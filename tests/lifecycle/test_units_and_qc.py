"""Units prepared on payment, the producer's QC, and the shipping gate: a failed unit cannot ship."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from marketplace.fulfilment import services as fulfilment
from marketplace.fulfilment.models import OperatorOrder
from marketplace.lifecycle import rules, serials, services
from marketplace.lifecycle.models import QCRecord, QCStep, Unit
from tests.lifecycle.conftest import answers, paid_order

pytestmark = pytest.mark.django_db


def ship(part, actor=None):
    return fulfilment.change_status(part_id=part.pk, actor=actor or part.partner.storefront.operator, status="shipped",
                                    carrier="DHL", tracking_number="JD0001")  # fmt: skip


def test_paying_prepares_one_unit_per_good_with_its_serial_owner_and_design(printer_part, units, shopper):
    design = printer_part.lines.get().product.design
    assert [unit.index for unit in units] == [1, 2]
    for unit in units:
        assert serials.is_valid(unit.serial)
        assert (unit.state, unit.owner, unit.design, unit.design_version) == ("in_production", shopper, design,
                                                                              design.version)  # fmt: skip
        assert unit.maker == printer_part.partner.storefront and unit.shipped_at is None
    services.prepare_units(part=printer_part)
    services.prepare_units(part=printer_part)
    assert Unit.objects.count() == 2  # preparing again creates nothing twice


def test_a_guest_s_goods_have_no_owner_and_licences_have_no_units(two_operators, django_capture_on_commit_callbacks):
    order = paid_order([two_operators["mill"], two_operators["licence"]], capture=django_capture_on_commit_callbacks)
    units = list(Unit.objects.filter(line__order=order))
    assert [(unit.product.title, unit.owner) for unit in units] == [("CNC mill, assembled", None)]


def test_a_serial_already_taken_is_drawn_again(printer_part, units, monkeypatch):
    drawn = iter([units[0].serial, units[0].serial, "OSE-0000-0000-0"])
    monkeypatch.setattr(serials, "new_serial", lambda: next(drawn))
    Unit.objects.filter(pk=units[1].pk).delete()
    services.prepare_units(part=printer_part)
    assert Unit.objects.get(line=units[1].line, index=2).serial == "OSE-0000-0000-0"


def test_a_failed_qc_blocks_shipping_and_a_passing_correction_lets_it_ship(printer_part, units, checklist):
    operator = printer_part.partner.storefront.operator
    first, second = units
    failed = services.record_qc(unit_id=first.pk, actor=operator, answers=answers(checklist, temperature="190"))
    services.record_qc(unit_id=second.pk, actor=operator, answers=answers(checklist))
    assert failed.passed is False
    assert [r.passed for r in failed.results.all()] == [False, True]

    with pytest.raises(ValidationError) as refused:
        ship(printer_part)
    message = " ".join(refused.value.messages)
    assert first.serial in message and second.serial not in message
    assert f"Record a passing QC for {first.serial}" in message
    printer_part.refresh_from_db()
    assert printer_part.status == "to_fulfil"
    assert Unit.objects.filter(state="in_production").count() == 2

    services.record_qc(unit_id=first.pk, actor=operator, answers=answers(checklist, temperature="215"))  # the limit
    ship(printer_part)
    printer_part.refresh_from_db()
    assert printer_part.status == "shipped"
    shipped = Unit.objects.filter(line__order=printer_part.order)
    assert {(unit.state, unit.shipped_at) for unit in shipped} == {("in_service", printer_part.shipped_at)}
    assert QCRecord.objects.filter(unit=first).count() == 2  # the failed record stays in its history


def test_a_unit_without_a_record_cannot_ship_when_its_design_has_a_checklist(printer_part, units, checklist):
    with pytest.raises(ValidationError, match="no QC record yet"):
        ship(printer_part)
    with pytest.raises(ValidationError, match="no QC record yet"):  # nor be marked delivered straight away
        fulfilment.change_status(part_id=printer_part.pk, actor=printer_part.partner.storefront.operator,
                                 status="complete")  # fmt: skip


def test_a_design_without_a_checklist_ships_as_before(printer_part, units):
    ship(printer_part)
    assert set(Unit.objects.values_list("state", flat=True)) == {"in_service"}


def test_units_are_prepared_at_shipping_for_a_part_paid_before_units_existed(printer_part, units, checklist):
    Unit.objects.all().delete()
    with pytest.raises(ValidationError) as refused:
        ship(printer_part)
    kept = list(Unit.objects.values_list("serial", flat=True))
    assert len(kept) == 2 and all(serial in refused.value.messages[0] for serial in kept)  # the serials it names exist


def test_records_are_final_once_the_unit_shipped(printer_part, units, checklist, client):
    operator = printer_part.partner.storefront.operator
    for unit in units:
        services.record_qc(unit_id=unit.pk, actor=operator, answers=answers(checklist))
    ship(printer_part)
    with pytest.raises(ValidationError, match="has shipped"):
        services.record_qc(unit_id=units[0].pk, actor=operator, answers=answers(checklist, temperature="100"))
    client.force_login(operator)
    url = reverse("lifecycle:unit-qc", kwargs={"pk": units[0].pk})
    page = client.post(url, {f"step_{checklist[0].pk}": "100", f"step_{checklist[1].pk}": "fail"})
    assert page.status_code == 400 and "has shipped" in page.content.decode()
    assert QCRecord.objects.filter(unit=units[0]).count() == 1 and QCRecord.objects.get(unit=units[0]).passed


def test_changing_the_checklist_changes_no_record(printer_part, units, checklist):
    operator = printer_part.partner.storefront.operator
    record = services.record_qc(unit_id=units[0].pk, actor=operator, answers=answers(checklist, temperature="200"))
    QCStep.objects.filter(pk=checklist[0].pk).update(name="Hot end", min_value=Decimal("201"))
    checklist[1].delete()
    results = list(record.results.all())
    assert [(r.name, r.min_value, r.value, r.passed) for r in results] == [
        ("Nozzle temperature", Decimal("195"), Decimal("200"), True),
        ("Axes move freely", None, None, True),
    ]


@pytest.mark.parametrize(
    "value, low, high, passes",
    [("195", "195", "215", True), ("215", "195", "215", True), ("194.9999", "195", "215", False),
     ("215.0001", "195", "215", False), ("-1", None, "0", True), ("0", "0", None, True), ("-1", "0", None, False),
     ("1000000000", None, "1000000000", True), ("1.5", "1.5", "1.5", True), ("7", None, None, True)],
)  # fmt: skip
def test_limits_are_inclusive_and_either_may_be_absent(value, low, high, passes):
    dec = lambda text: Decimal(text) if text is not None else None  # noqa: E731
    assert rules.within_limits(dec(value), min_value=dec(low), max_value=dec(high)) is passes
    assert rules.within_limits(None, min_value=None, max_value=None) is False
    assert rules.record_passes([]) is False and rules.record_passes([True, True])
    assert not rules.record_passes([True, False])


FORM_CASES = [
    ("-1", "failed"), ("0", "failed"), ("1000000000", "failed"), ("1.5", "failed"), ("205", "passed"),
    ("205,5", "as a number"), ("hot", "as a number"), ("", "Enter the value"), ("10000000000", "below 10,000,000,000"),
    ("205.12345", "at most 4 decimals"),
]  # fmt: skip


def test_the_qc_form_takes_any_number_and_explains_what_it_refuses(printer_part, units, checklist, client):
    client.force_login(printer_part.partner.storefront.operator)
    url = reverse("lifecycle:unit-qc", kwargs={"pk": units[0].pk})
    for typed, outcome in FORM_CASES:
        before = QCRecord.objects.filter(unit=units[0]).count()
        page = client.post(url, {f"step_{checklist[0].pk}": typed, f"step_{checklist[1].pk}": "pass"})
        record = QCRecord.objects.filter(unit=units[0]).order_by("pk").last()
        if outcome in ("passed", "failed"):
            assert page.status_code == 302, typed
            assert record.passed is (outcome == "passed")
            assert record.results.get(name="Nozzle temperature").value == Decimal(typed)
        else:
            assert page.status_code == 400 and QCRecord.objects.filter(unit=units[0]).count() == before, typed
            html = page.content.decode()
            assert outcome in html, typed
            assert f'value="{typed}"' in html or typed == ""  # what was typed is kept
    # a check left unanswered is refused in words too
    page = client.post(url, {f"step_{checklist[0].pk}": "205"})
    assert page.status_code == 400 and "Say whether this check passed" in page.content.decode()


def test_the_operator_s_order_page_shows_serials_qc_states_and_the_labels_link(printer_part, units, checklist,
                                                                                  client):  # fmt: skip
    operator = printer_part.partner.storefront.operator
    services.record_qc(unit_id=units[0].pk, actor=operator, answers=answers(checklist, moves=False))
    client.force_login(operator)
    html = client.get(reverse("dashboard:order-detail", kwargs={"number": printer_part.order.number})).content.decode()
    assert units[0].serial in html and units[1].serial in html
    assert "QC failed" in html and "QC not recorded" in html
    assert reverse("lifecycle:unit-qc", kwargs={"pk": units[1].pk}) in html
    assert reverse("fulfilment:part-labels", kwargs={"pk": printer_part.pk}) in html
    refused = client.post(reverse("fulfilment:part-status", kwargs={"pk": printer_part.pk}),
                          {"status": "shipped", "carrier": "DHL", "tracking_number": "JD1"}, follow=True)  # fmt: skip
    text = refused.content.decode()
    assert f"Record a passing QC for {units[0].serial}, {units[1].serial}" in text
    assert OperatorOrder.objects.get(pk=printer_part.pk).status == "to_fulfil"


def test_another_operator_s_units_are_not_found_and_never_shown(printer_part, units, two_operators, client,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    lyon = two_operators["lyon"]
    own = paid_order([two_operators["mill"]], capture=django_capture_on_commit_callbacks)
    client.force_login(lyon.operator)
    assert client.get(reverse("lifecycle:unit-qc", kwargs={"pk": units[0].pk})).status_code == 404
    assert client.post(reverse("lifecycle:unit-qc", kwargs={"pk": units[0].pk}), {}).status_code == 404
    assert client.get(reverse("fulfilment:part-labels", kwargs={"pk": printer_part.pk})).status_code == 404
    html = client.get(reverse("dashboard:order-detail", kwargs={"number": own.number})).content.decode()
    mine = Unit.objects.get(line__order=own)
    assert mine.serial in html and units[0].serial not in html
    from marketplace.lifecycle import selectors

    assert list(selectors.units_for_operator(lyon.operator)) == [mine]
