"""Staff create and edit designs, levels, licences, documentation and bills of materials in the Oscar dashboard."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from catalog.models import Design, DesignDocument, LicenceTerms, Product
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True, email="staff@example.com"))
    return client


def _form_data(html: str) -> dict:
    """Every input's current value on a rendered page, the way a browser would submit it."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or (kind and kind.group(1) in ("checkbox", "file", "submit")):
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for select in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select[1])
        data[select[0]] = chosen.group(1) if chosen else ""
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = text.strip()
    data.pop("csrfmiddlewaretoken", None)
    return data


DESIGN = {
    "name": "Brick press",
    "slug": "brick-press",
    "summary": "Presses earth bricks.",
    "description": "",
    "version": "1.0",
    "repository_url": "",
    "hardware_licence": "CERN-OHL-S-2.0",
    "software_licence": "",
    "documentation_licence": "CC-BY-SA-4.0",
    "cost_materials": "100",
    "cost_labour": "50",
    "cost_energy": "0",
    "cost_shipping": "0",
    "co2e_kg": "10",
}


def test_staff_create_a_design_and_get_its_six_documentation_areas(staff_client):
    houses = factories.category("Houses")
    response = staff_client.post(reverse("dashboard:catalogue-design-create"), {**DESIGN, "category": houses.pk})
    design = Design.objects.get(slug="brick-press")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    assert design.documents.count() == 6
    assert "Brick press" in staff_client.get(reverse("dashboard:catalogue-design-list")).content.decode()


def test_a_bad_licence_is_shown_on_the_dashboard_form_and_nothing_is_saved(staff_client):
    houses = factories.category("Houses")
    data = {**DESIGN, "category": houses.pk, "hardware_licence": "Proprietary-1.0"}
    page = staff_client.post(reverse("dashboard:catalogue-design-create"), data)
    assert page.status_code == 200
    assert "“Proprietary-1.0” is not an admissible hardware (OSHWA-acceptable) licence" in page.content.decode()
    assert not Design.objects.exists()


def test_marking_documentation_complete_records_the_reviewer(staff_client):
    design = factories.design()
    url = reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    data = _form_data(staff_client.get(url).content.decode())
    first = next(key for key in data if key.startswith("documents-") and key.endswith("-url"))
    prefix = first[: -len("url")]
    data.update({first: "https://wiki.example.org/d3d/design", f"{prefix}status": "complete"})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = DesignDocument.objects.get(design=design, status="complete")
    assert document.reviewer.email == "staff@example.com"
    assert "17% complete" in staff_client.get(design.get_absolute_url()).content.decode()


def test_complete_documentation_without_a_link_is_an_error_on_the_form(staff_client):
    design = factories.design()
    url = reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    data = _form_data(staff_client.get(url).content.decode())
    status = next(key for key in data if key.startswith("documents-") and key.endswith("-status"))
    data[status] = "complete"
    page = staff_client.post(url, data)
    assert page.status_code == 200
    assert "A complete documentation area needs a link to the documentation." in page.content.decode()
    assert not DesignDocument.objects.filter(status="complete").exists()


def test_bill_of_materials_lines_are_edited_and_bad_lines_refused(staff_client):
    design, component = factories.design(), factories.design(name="Power Cube")
    url = reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    data = _form_data(staff_client.get(url).content.decode())
    data.update({"bom-0-component": str(component.pk), "bom-0-feedstock": "Steel", "bom-0-quantity": "1"})
    page = staff_client.post(url, data)
    assert "either a feedstock or another design, not both" in page.content.decode()

    data.update({"bom-0-feedstock": "", "bom-1-feedstock": "Steel plate", "bom-1-quantity": "180", "bom-1-unit": "kg"})
    assert staff_client.post(url, data).status_code == 302
    assert {str(line) for line in design.bom_lines.all()} == {"1.000 pcs Power Cube 1.0", "180.000 kg Steel plate"}


def test_a_fake_image_upload_is_refused_on_the_design_form(staff_client):
    design = factories.design()
    url = reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    data = _form_data(staff_client.get(url).content.decode())
    data["images-0-image"] = SimpleUploadedFile("photo.jpg", b"GIF89a but not really an image", "image/jpeg")
    page = staff_client.post(url, data)
    assert page.status_code == 200
    assert "Upload a valid image" in page.content.decode() or "not a valid image" in page.content.decode()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buffer, "PNG")
    data["images-0-image"] = SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png")
    assert staff_client.post(url, data).status_code == 302
    assert design.images.count() == 1


def _product_create(staff_client, class_slug):
    url = reverse("dashboard:catalogue-product-create", kwargs={"product_class_slug": class_slug})
    return url, _form_data(staff_client.get(url).content.decode())


def test_a_level_3_licence_needs_its_terms_in_the_product_form(staff_client):
    design = factories.design()
    url, data = _product_create(staff_client, "level-3-licence")
    data.update(
        {"title": "D3D licence", "design": str(design.pk), "productcategory_set-0-category": design.category.pk}
    )
    page = staff_client.post(url, data)
    assert "A distribution licence needs its terms" in page.content.decode()

    data.update({"licence_terms-0-term_months": "24", "licence_terms-0-territory": "Worldwide",
                 "licence_terms-0-royalty_percent": "3.00"})  # fmt: skip
    response = staff_client.post(url, data)
    assert response.status_code == 302
    product = Product.objects.get(title="D3D licence")
    assert product.level == 3 and product.design == design
    assert LicenceTerms.objects.get(product=product).royalty_percent == 3


def test_a_level_product_needs_a_design_in_the_product_form(staff_client):
    url, data = _product_create(staff_client, "level-1-physical")
    data.update({"title": "Orphan printer"})
    page = staff_client.post(url, data)
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not Product.objects.filter(title="Orphan printer").exists()


def test_design_dashboard_is_for_staff_only(client):
    design = factories.design()
    client.force_login(factories.UserFactory(is_staff=False))
    for url in (
        reverse("dashboard:catalogue-design-list"),
        reverse("dashboard:catalogue-design-create"),
        reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk}),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "Brick" not in response.content.decode()
