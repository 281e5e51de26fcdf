import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_refuses_an_inadmissible_licence(client):
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    design = factories.design()
    url = reverse("admin:catalogue_design_change", args=[design.pk])
    assert client.get(url).status_code == 200
    page = client.post(
        url,
        {
            "name": design.name, "slug": design.slug, "summary": "x", "category": design.category.pk, "version": "2",
            "hardware_licence": "CC-BY-ND-4.0", "documentation_licence": "CC-BY-4.0", "cost_materials": "0",
            "cost_labour": "0", "cost_energy": "0", "cost_shipping": "0", "co2e_kg": "0",
            "documents-TOTAL_FORMS": "0", "documents-INITIAL_FORMS": "0",
            "bom_lines-TOTAL_FORMS": "0", "bom_lines-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert page.status_code == 200
    assert "CC-BY-ND-4.0 is not an open licence" in page.content.decode()
    design.refresh_from_db()
    assert design.version == "1.0"
