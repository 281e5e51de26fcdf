from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.lifecycle import serials
from marketplace.lifecycle.models import Unit
from tests import factories


def make_unit(*, owner, design, maker, state=Unit.IN_SERVICE, shipped_days_ago=30, retired_days_ago=None, order=None):
    """A unit on one of ``owner``'s orders (a printer bought at 900.00), made by ``maker``."""
    order = order or factories.create_order(user=owner)
    line = order.lines.first()
    index = line.units.count() + 1
    now = timezone.now()
    return Unit.objects.create(
        serial=serials.new_serial(), line=line, index=index, product=line.product, design=design,
        design_version=design.version if design else "", maker=maker, owner=owner, state=state,
        shipped_at=None if state == Unit.IN_PRODUCTION else now - timedelta(days=shipped_days_ago),
        retired_at=now - timedelta(days=retired_days_ago) if retired_days_ago is not None else None,
    )  # fmt: skip


@pytest.fixture
def world(db):
    """A printer design; Berlin Fab (holds its mark, sells nothing), Lyon Fab (sells it), Nairobi Fab (holds the mark
    too, far away); a shopper who owns one unit Berlin made."""
    design = factories.design(name="D3D printer")
    printer = factories.level_product(design, 1, title="D3D printer, assembled")
    printer.stockrecords.all().delete()
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    nairobi = factories.storefront("Nairobi Fab", city="Nairobi")
    factories.offer(lyon, printer, price="900.00")
    factories.certify(design, holders=[berlin.operator, nairobi.operator])
    owner = factories.UserFactory(email="owner@example.com")
    unit = make_unit(owner=owner, design=design, maker=berlin)
    return {"design": design, "printer": printer, "berlin": berlin, "lyon": lyon, "nairobi": nairobi,
            "owner": owner, "unit": unit}  # fmt: skip
