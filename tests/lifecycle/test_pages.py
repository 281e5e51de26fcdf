"""Labels, pass rates on the storefront and design pages, the certifier's view, and the staff's checklists."""

import re
import zlib
from decimal import Decimal

import pytest
import segno
from django.contrib.auth.models import Group
from django.urls import reverse

from marketplace.lifecycle import labels, selectors, services
from marketplace.lifecycle.models import QCStep, Unit
from tests import factories
from tests.lifecycle.conftest import answers, paid_order

pytestmark = pytest.mark.django_db


def test_the_labels_pdf_has_one_page_per_unit_and_its_qr_code_is_the_unit_page(printer_part, units, client, settings):
    settings.SITE_URL = "https://shop.example.org"
    client.force_login(printer_part.partner.storefront.operator)
    response = client.get(reverse("fulfilment:part-labels", kwargs={"pk": printer_part.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(units) == 2
    for unit in units:
        target = f"https://shop.example.org/units/{unit.serial}/"
        assert selectors.unit_url(unit.serial) == target
        assert selectors.unit_path(unit.serial) == f"/units/{unit.serial}/"
        drawn = labels.label_qr(unit.serial)
        # the QR code drawn is exactly the one that encodes the unit page's address
        expected = segno.make(target, error="m", micro=False)
        assert list(drawn.matrix_iter(border=0)) == list(expected.matrix_iter(border=0))
        assert unit.serial.encode() in _page_text(pdf)
    # and each page's QR code, read back from the squares the PDF draws, is that unit's page address
    pages = _page_streams(pdf)
    for unit, page in zip(units, pages, strict=True):
        expected = segno.make(selectors.unit_url(unit.serial), error="m", micro=False)
        assert _drawn_modules(page, expected.symbol_size(border=0)[0]) == _dark_modules(expected)


def _page_streams(pdf: bytes) -> list[bytes]:
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return [zlib.decompress(stream) for stream in streams if stream[:1] == b"x" and b" re f" in zlib.decompress(stream)]


def _dark_modules(qr) -> set[tuple[int, int]]:
    return {(row, column) for row, cells in enumerate(qr.matrix_iter(border=0)) for column, dark in enumerate(cells)
            if dark}  # fmt: skip


def _drawn_modules(page: bytes, modules: int) -> set[tuple[int, int]]:
    """The dark modules a label page draws: its filled rectangles, on the QR code's grid (a finder pattern marks the
    top-left corner)."""
    size = labels.QR_SIZE / (modules + 4) * 72 / 25.4  # one module, in points (the code has a 2-module quiet zone)
    rects = [tuple(map(float, found)) for found in re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) -?[\d.]+ re f", page)]
    left, top = min(x for x, _, _ in rects), max(y for _, y, _ in rects)
    drawn = set()
    for x, y, width in rects:
        row, column = round((top - y) / size), round((x - left) / size)
        drawn.update((row, column + step) for step in range(round(width / size)))
    return drawn


def _page_text(pdf: bytes) -> bytes:
    """The PDF's page content streams, inflated (fpdf2 compresses them)."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return b"".join(zlib.decompress(stream) for stream in streams if stream[:1] == b"x")


def _qc(unit, steps, **kwargs):
    return services.record_qc(unit_id=unit.pk, actor=unit.maker.operator, answers=answers(steps, **kwargs))


@pytest.fixture
def two_makers(two_operators, checklist, django_capture_on_commit_callbacks):
    """The printer made by Berlin Fab (3 units: one failed first, then corrected) and by Lyon Fab (1 unit, passed)."""
    capture = django_capture_on_commit_callbacks
    lyon = two_operators["lyon"]
    printer = two_operators["printer"]
    lyon_offer = factories.offer(lyon, printer.product, price="950.00")
    paid_order([printer], capture=capture, quantities={printer.pk: 3})
    paid_order([lyon_offer], capture=capture)
    berlin_units = list(Unit.objects.filter(maker=two_operators["berlin"]).order_by("pk"))
    _qc(berlin_units[0], checklist, temperature="190")
    _qc(berlin_units[0], checklist)  # corrected: passes now, but its first record failed
    _qc(berlin_units[1], checklist)
    _qc(berlin_units[2], checklist)
    _qc(Unit.objects.get(maker=lyon), checklist)
    return two_operators


def test_first_pass_yield_counts_the_first_record_of_each_unit(two_makers):
    berlin, lyon = two_makers["berlin"], two_makers["lyon"]
    design = two_makers["printer"].product.design
    rows = selectors.storefront_pass_rates(berlin)
    assert [(r["design__name"], r["checked"], r["first_passed_count"], r["yield"]) for r in rows] == [
        (design.name, 3, 2, Decimal("66.7"))
    ]
    network = selectors.network_pass_rates(design)
    assert [(r["maker__name"], r["yield"]) for r in network["rows"]] == [(berlin.name, Decimal("66.7")),
                                                                         (lyon.name, Decimal("100.0"))]  # fmt: skip
    assert (network["overall"]["checked"], network["overall"]["yield"]) == (4, Decimal("75.0"))
    assert selectors.storefront_pass_rates(two_makers["lyon"])[0]["yield"] == Decimal("100.0")


def test_the_storefront_and_design_pages_show_the_pass_rates(two_makers, client):
    berlin = two_makers["berlin"]
    design = two_makers["printer"].product.design
    store_page = client.get(berlin.get_absolute_url()).content.decode()
    assert 'id="qc-pass-rates"' in store_page and "66.7%" in store_page and "first QC record passed" in store_page
    design_page = client.get(design.get_absolute_url()).content.decode()
    assert 'id="network-qc"' in design_page and "qc-yield-chart" in design_page
    assert "75.0%" in design_page and "66.7%" in design_page and "100.0%" in design_page
    assert "owner@example.com" not in design_page


def test_a_new_record_retires_the_cached_design_and_storefront_pages(two_makers, client, checklist):
    design = two_makers["printer"].product.design
    berlin = two_makers["berlin"]
    assert "75.0%" in client.get(design.get_absolute_url()).content.decode()
    assert "66.7%" in client.get(berlin.get_absolute_url()).content.decode()
    made = Unit.objects.filter(maker=berlin).first()
    extra = Unit.objects.create(serial="OSE-0000-0001-X", line=made.line, index=9, product=made.product, design=design,
                                design_version=design.version, maker=berlin)  # fmt: skip
    client.get(design.get_absolute_url())  # stored again, before the record
    _qc(extra, checklist, moves=False)
    assert "60.0%" in client.get(design.get_absolute_url()).content.decode()  # 3 of 5 passed first time
    assert "50.0%" in client.get(berlin.get_absolute_url()).content.decode()  # 2 of 4


def test_the_certifier_sees_the_mark_holders_units_qc(two_makers, client):
    design = two_makers["printer"].product.design
    factories.certify(design, holders=[two_makers["berlin"].operator])
    from certification.models import CertificationApplication

    application = CertificationApplication.objects.create(design=design, design_version=design.version,
                                                          applicant=two_makers["berlin"].operator)  # fmt: skip
    certifier = factories.UserFactory(email="certifier@example.com")
    certifier.groups.add(Group.objects.get(name="Certifiers"))
    client.force_login(certifier)
    html = client.get(reverse("certification:application", kwargs={"pk": application.pk})).content.decode()
    section = html[html.index('id="holders-qc"') :]
    assert "3 units made" in section and "66.7%" in section
    assert "Nozzle temperature" in section  # failures by step
    assert two_makers["lyon"].name not in section  # Lyon holds no mark for the printer


def test_staff_write_a_checklist_starting_from_the_performance_criteria(client):
    from certification.models import PerformanceCriterion

    design = factories.design(name="D3D printer")
    PerformanceCriterion.objects.create(design=design, metric="Print speed", unit="mm/s", comparison=">=",
                                        threshold=Decimal("60"))  # fmt: skip
    PerformanceCriterion.objects.create(design=design, metric="Layer error", unit="mm", comparison="<=",
                                        threshold=Decimal("0.1"))  # fmt: skip
    staff = factories.staff("lifecycle.change_qcstep")
    client.force_login(staff)
    assert client.get(reverse("lifecycle:checklists")).status_code == 200
    url = reverse("lifecycle:design-checklist-from-criteria", kwargs={"pk": design.pk})
    client.post(url)
    client.post(url)  # twice: nothing twice
    steps = list(QCStep.objects.filter(design=design).values_list("name", "kind", "unit", "min_value", "max_value"))
    assert steps == [("Print speed", "measure", "mm/s", Decimal("60"), None),
                     ("Layer error", "measure", "mm", None, Decimal("0.1"))]  # fmt: skip
    page = client.get(reverse("lifecycle:design-checklist", kwargs={"pk": design.pk}))
    assert page.status_code == 200 and "Start from the performance criteria" in page.content.decode()


def _formset_post(design, rows):
    existing = list(QCStep.objects.filter(design=design))
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(len(existing)),
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{index}-{key}"] = value
    return data


@pytest.mark.parametrize(
    "row, error",
    [({"kind": "measure", "min_value": "", "max_value": ""}, "Give at least one limit"),
     ({"kind": "measure", "min_value": "5", "max_value": "1.5"}, "must not be below"),
     ({"kind": "check", "min_value": "1", "max_value": ""}, "A pass/fail check has no limits"),
     ({"kind": "measure", "min_value": "hot", "max_value": ""}, "Enter a limit as a number"),
     ({"kind": "measure", "min_value": "10000000000", "max_value": ""}, "below 10,000,000,000"),
     ({"kind": "measure", "min_value": "-1", "max_value": "0", "position": "-1"}, "Ensure this value is greater"),
     ({"kind": "measure", "min_value": "-1", "max_value": "1000000000", "position": "1.5"}, "whole number")],
)  # fmt: skip
def test_the_checklist_form_refuses_in_words_and_keeps_what_was_typed(client, row, error):
    design = factories.design(name="D3D printer")
    client.force_login(factories.staff("lifecycle.change_qcstep"))
    full = {"position": "1", "name": "Frame square", "unit": "mm", **row}
    page = client.post(reverse("lifecycle:design-checklist", kwargs={"pk": design.pk}), _formset_post(design, [full]))
    assert page.status_code == 400 and error in page.content.decode()
    assert 'value="Frame square"' in page.content.decode()
    assert not QCStep.objects.exists()


def test_a_valid_checklist_is_saved_with_negative_zero_and_large_limits(client):
    design = factories.design(name="D3D printer")
    client.force_login(factories.staff("lifecycle.change_qcstep"))
    rows = [
        {"position": "1", "name": "Offset", "kind": "measure", "unit": "mm", "min_value": "-1", "max_value": "0"},
        {
            "position": "2",
            "name": "Load",
            "kind": "measure",
            "unit": "N",
            "min_value": "1.5",
            "max_value": "1000000000",
        },
        {"position": "3", "name": "Labels on", "kind": "check", "unit": "", "min_value": "", "max_value": ""},
    ]
    page = client.post(reverse("lifecycle:design-checklist", kwargs={"pk": design.pk}), _formset_post(design, rows))
    assert page.status_code == 302
    assert list(QCStep.objects.values_list("name", "min_value", "max_value")) == [
        ("Offset", Decimal("-1"), Decimal("0")), ("Load", Decimal("1.5"), Decimal("1000000000")),
        ("Labels on", None, None)]  # fmt: skip


def test_the_unit_qc_dict_names_no_person(printer_part, units, checklist):
    _qc(units[0], checklist, temperature="190")
    _qc(units[0], checklist)
    qc = selectors.unit_qc(units[0])
    assert qc["state"] == "passed" and qc["earlier"] == 1
    assert [(r["name"], r["value"], r["limits"], r["passed"]) for r in qc["latest"]["results"]] == [
        ("Nozzle temperature", Decimal("205"), "195 – 215 °C", True),
        ("Axes move freely", None, "", True),
    ]
    from django.template.loader import render_to_string

    html = render_to_string("lifecycle/_unit_qc.html", {"qc": qc})
    assert "Passed" in html and "195 – 215 °C" in html and "1 earlier record" in html
    operator = units[0].maker.operator
    assert operator.email not in html and (operator.get_full_name() or "@") not in html
    assert list(selectors.units_for_owner(units[0].owner)) == list(reversed(units))
    assert not selectors.units_for_owner(None).exists()
