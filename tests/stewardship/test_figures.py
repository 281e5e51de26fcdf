"""Stewardship figures: the arithmetic on known units, and the design page and staff page showing them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.stewardship import figures, services
from tests import factories
from tests.stewardship.conftest import make_unit

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _years(n: float) -> datetime:
    return NOW - timedelta(days=365.25 * n)


def test_figures_math():
    units = [
        ("in_service", _years(0.5), None),
        ("under_repair", _years(2.5), None),
        ("recycled", _years(4), _years(1)),  # three years in service
        ("taken_back", _years(1), NOW),
    ]
    result = figures.compute(units, repairs=3, recovered={"steel": Decimal("5")}, now=NOW)
    assert result.shipped == 4 and result.in_service == 2 and result.taken_back == 2
    assert result.unit_years == pytest.approx(Decimal("7"), abs=Decimal("0.001"))  # 0.5 + 2.5 + 3 + 1
    assert result.repairs_per_unit_year == Decimal("0.43")  # 3 / 7
    assert result.mean_age_years == Decimal("1.5")
    assert result.take_back_rate == Decimal("0.500")
    assert result.ages == [1, 0, 1]  # one unit under a year old, one of two years


def test_no_units_no_division():
    result = figures.compute([], repairs=0, recovered={}, now=NOW)
    assert result.repairs_per_unit_year is None and result.mean_age_years is None and result.take_back_rate is None


@pytest.mark.django_db
def test_the_design_page_and_the_staff_page_show_the_figures(world, client):
    request = services.ask(unit=world["unit"], user=world["owner"], kind="take_back", description="Old",
                           location="Berlin, DE")  # fmt: skip
    services.accept(request=request, storefront=world["berlin"])
    services.close(request=request, storefront=world["berlin"], outcome="Recycled",
                   materials={"steel": Decimal("7.250")})  # fmt: skip
    make_unit(owner=world["owner"], design=world["design"], maker=world["berlin"], shipped_days_ago=400)
    page = client.get(world["design"].get_absolute_url()).content.decode()
    assert 'id="stewardship"' in page and "Steel 7.25 kg" in page and "50%" in page
    client.force_login(factories.staff("stewardship.view_servicerequest"))
    staff_page = client.get(reverse("stewardship:staff")).content.decode()
    assert "D3D printer" in staff_page and "Steel 7.25 kg" in staff_page
