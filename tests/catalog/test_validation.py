"""Every validation rule of the catalogue, with the message the user sees."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import licences
from catalog.images import validate_image
from catalog.models import BillOfMaterialsLine, DesignDocument, LicenceTerms, Product
from tests import factories

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- licences ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("hardware_licence", "MIT-ish", "“MIT-ish” is not an admissible hardware (OSHWA-acceptable) licence"),
        ("software_licence", "Proprietary", "“Proprietary” is not an admissible software (OSI-approved) licence"),
        ("documentation_licence", "CC-BY-NC-4.0", "CC-BY-NC-4.0 is not an open licence"),
        ("hardware_licence", "cern-ohl-s-2.0", "Did you mean CERN-OHL-S-2.0?"),
        ("software_licence", "CC-BY-SA-4.0", "not an admissible software"),
    ],
)
def test_an_inadmissible_or_unknown_licence_is_refused_by_the_model(field, value, expected):
    design = factories.design()
    setattr(design, field, value)
    with pytest.raises(ValidationError) as error:
        design.full_clean()
    assert expected in _messages(error.value)


def test_admissible_licences_pass_and_link_to_spdx():
    design = factories.design(hardware_licence="TAPR-OHL-1.0", software_licence="", documentation_licence="CC0-1.0")
    design.full_clean()
    assert design.licence("hardware").url == "https://spdx.org/licenses/TAPR-OHL-1.0.html"


def test_the_allow_lists_name_their_source():
    assert "certification.oshwa.org" in licences.__doc__ and "opensource.org/licenses" in licences.__doc__
    assert {"CERN-OHL-S-2.0", "CERN-OHL-W-2.0", "CERN-OHL-P-2.0", "TAPR-OHL-1.0", "CC-BY-SA-4.0"} <= set(
        licences.HARDWARE
    )


# --- levels and product classes ---------------------------------------------------------------------------------


def test_a_product_takes_its_level_from_its_product_class():
    product = factories.level_product(factories.design(), 2)
    assert Product.objects.get(pk=product.pk).level == 2


def test_a_product_with_a_class_of_another_level_is_refused():
    product = factories.level_product(factories.design(), 1)
    product.product_class = factories.product_class("level-3-licence")
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "“Level 3 · Distribution licence” is a level 3 product class; a level 1 product needs a level 1 class." in (
        _messages(error.value)
    )


def test_a_level_product_without_a_design_is_refused():
    product = Product(title="Orphan", product_class=factories.product_class("level-1-physical"))
    with pytest.raises(ValidationError) as error:
        product.full_clean()
    assert "A level 1 product must belong to a design." in _messages(error.value)


def test_licence_terms_need_a_unit_cap_or_a_royalty():
    product = factories.level_product(factories.design(), 3)
    terms = LicenceTerms(product=product, term_months=12, territory="Kenya")
    with pytest.raises(ValidationError) as error:
        terms.clean()
    assert "A distribution licence needs a unit cap or a royalty (or both)." in _messages(error.value)


# --- bill of materials ------------------------------------------------------------------------------------------


def test_a_bom_line_is_a_feedstock_or_a_design_not_both_nor_neither():
    printer, mill = factories.design(), factories.design(name="CNC mill")
    both = BillOfMaterialsLine(design=mill, component=printer, feedstock="Steel", quantity=1)
    neither = BillOfMaterialsLine(design=mill, quantity=1)
    for line in (both, neither):
        with pytest.raises(ValidationError) as error:
            line.full_clean()
        assert "either a feedstock or another design, not both" in _messages(error.value)


def test_a_bom_quantity_must_be_positive():
    line = BillOfMaterialsLine(design=factories.design(), feedstock="PLA", quantity=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert "greater than or equal to 0.001" in _messages(error.value)


# --- documentation ----------------------------------------------------------------------------------------------


def test_a_complete_documentation_area_needs_a_link():
    document = DesignDocument(design=factories.design(), area="supply-chain", status="complete")
    with pytest.raises(ValidationError) as error:
        document.full_clean()
    assert "A complete documentation area needs a link" in _messages(error.value)


# --- images -----------------------------------------------------------------------------------------------------


def _image_file(name="photo.png", size=(40, 30), kind="PNG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


def test_a_real_small_image_is_accepted():
    validate_image(_image_file())


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (SimpleUploadedFile("fake.jpg", b"<?php echo 'not an image'; ?>" * 10), "This file is not a valid image."),
        (SimpleUploadedFile("empty.png", b""), "The file is empty."),
        (SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10)), "the limit is 5 MB"),
        (_image_file("bitmap.png", kind="BMP"), "BMP images are not accepted"),
        (_image_file("wide.png", size=(8000, 10), mode="1"), "the limit is 6000 pixels a side"),
        (_image_file("bomb.png", size=(5900, 5900), mode="1"), "25 megapixels"),
    ],
)
def test_oversized_fake_or_foreign_images_are_refused(upload, expected):
    with pytest.raises(ValidationError) as error:
        validate_image(upload)
    assert expected in _messages(error.value)
