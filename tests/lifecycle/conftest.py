from decimal import Decimal

import pytest
from django.test import Client

from marketplace.fulfilment.models import OperatorOrder
from marketplace.lifecycle.models import QCStep, Unit
from tests import factories


@pytest.fixture
def checklist(two_operators):
    """The printer's QC checklist: a measured nozzle temperature (195-215 °C) and a pass/fail check."""
    design = two_operators["printer"].product.design
    return [
        QCStep.objects.create(design=design, position=1, name="Nozzle temperature", kind=QCStep.MEASURE, unit="°C",
                              min_value=Decimal("195"), max_value=Decimal("215")),
        QCStep.objects.create(design=design, position=2, name="Axes move freely", kind=QCStep.CHECK),
    ]  # fmt: skip


@pytest.fixture
def shopper():
    return factories.UserFactory(email="owner@example.com")


def paid_order(offers, *, capture, shopper=None, quantities=None):
    client = None
    if shopper is not None:
        client = Client()
        client.force_login(shopper)
    order = factories.checkout(offers, capture=capture, client=client, quantities=quantities)
    return factories.pay_offline(order, capture=capture)


@pytest.fixture
def printer_part(two_operators, shopper, django_capture_on_commit_callbacks):
    """Berlin Fab's part of a paid order of two printers, placed by a signed-in shopper."""
    offer = two_operators["printer"]
    order = paid_order([offer], capture=django_capture_on_commit_callbacks, shopper=shopper,
                       quantities={offer.pk: 2})  # fmt: skip
    return OperatorOrder.objects.get(order=order, partner=two_operators["berlin"].partner)


@pytest.fixture
def units(printer_part):
    return list(Unit.objects.filter(line__order=printer_part.order).order_by("index"))


def answers(steps, temperature="205", moves=True):
    measure, check = steps
    return {measure.pk: Decimal(temperature), check.pk: moves}
