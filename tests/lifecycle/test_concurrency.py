"""Serials under concurrent shipping: two workers preparing and shipping at once create each unit once, every serial
unique. Row locks need PostgreSQL: ``real_services`` skips this on a laptop without it and fails it in CI."""

import threading

import pytest
from django.db import connection

from marketplace.fulfilment import services as fulfilment
from marketplace.fulfilment.models import OperatorOrder
from marketplace.lifecycle import serials, services
from marketplace.lifecycle.models import Unit
from tests import factories

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_workers_preparing_and_shipping_at_once_make_each_unit_once(seeded, real_services):
    store = factories.storefront("Berlin Fab", city="Berlin")
    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    printer.stockrecords.all().delete()
    offer = factories.offer(store, printer, price="900.00", stock=50)
    parts = []
    for _ in range(2):
        order = factories.checkout([offer], capture=_run_now, quantities={offer.pk: 6})
        factories.pay_offline(order, capture=_run_now)
        parts.append(OperatorOrder.objects.get(order=order))
    Unit.objects.all().delete()  # as if paid before units existed: the workers below prepare them

    errors, barrier = [], threading.Barrier(4)

    def prepare(part):
        try:
            barrier.wait(timeout=10)
            services.prepare_units(part=part)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    def ship(part):
        try:
            barrier.wait(timeout=10)
            fulfilment.change_status(part_id=part.pk, actor=store.operator, status="shipped", carrier="DHL",
                                     tracking_number=f"JD{part.pk}")  # fmt: skip
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=prepare, args=(parts[0],)),
        threading.Thread(target=ship, args=(parts[0],)),
        threading.Thread(target=prepare, args=(parts[1],)),
        threading.Thread(target=ship, args=(parts[1],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    units = list(Unit.objects.all())
    assert len(units) == 12
    assert len({unit.serial for unit in units}) == 12 and all(serials.is_valid(unit.serial) for unit in units)
    assert {(unit.line_id, unit.index) for unit in units} == {
        (line.pk, index) for part in parts for line in part.lines for index in range(1, 7)
    }
    assert {unit.state for unit in units} == {"in_service"}


class _run_now:
    """``django_capture_on_commit_callbacks`` for a transactional test: on-commit callbacks run as they commit."""

    def __init__(self, execute=True):
        pass

    def __enter__(self):
        return []

    def __exit__(self, *exc):
        return False
