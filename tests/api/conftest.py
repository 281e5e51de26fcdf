"""What the API tests share: a shop with realistic public and hidden data (``open_data``), the live schema loaded
from the app (``api_schema``, for schemathesis), and the headers every schemathesis request carries
(``api_auth_headers``: none for the open endpoints; the operator endpoints' tests give a storefront's token)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests import factories


@pytest.fixture
def open_throttle(settings):
    """A rate no test reaches by accident; the throttling test sets its own."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/minute"},
    }


@pytest.fixture
def open_data(db, open_throttle):
    """Designs (one certified, scored, with a bill of materials and a component), products at three levels with
    offers from an active storefront, and what the public pages hide: a draft product, a suspended storefront's
    offer, a revoked and an expired certificate; money in and out of the campus fund over two months."""
    from certification.models import Certificate
    from marketplace.revenue import funds
    from marketplace.revenue.models import Account
    from marketplace.specs.models import DesignScore, QuestionSet
    from marketplace.storefronts import services as storefront_services

    printer = factories.design(name="D3D printer", slug="d3d-printer", cost_materials=Decimal("400.00"),
                               co2e_kg=Decimal("12.500"))  # fmt: skip
    frame = factories.design(name="Universal axis", slug="universal-axis")
    press = factories.design(
        name="CEB press", slug="ceb-press", category_name="Houses", hardware_licence="CERN-OHL-P-2.0"
    )
    tractor = factories.design(name="LifeTrac", slug="lifetrac", category_name="Tractors")
    printer.bom_lines.create(component=frame, quantity=Decimal("4"), unit="pcs", supply="specialised")
    printer.bom_lines.create(feedstock="PLA filament", quantity=Decimal("1.5"), unit="kg")
    printer.documents.create(area="product-design", status="complete", url="https://example.org/d3d")
    question_set = QuestionSet.objects.filter(published__isnull=False).first() or QuestionSet.objects.create(
        version=99, published=timezone.localdate()
    )
    DesignScore.objects.create(design=printer, question_set=question_set, score=Decimal("82.50"), answered=33,
                               questions=40)  # fmt: skip

    fab = factories.storefront("Apartment Fab", tier="campus", city="Berlin")
    closed = factories.storefront("Closed Fab", tier="campus", city="Lyon")
    printer_1 = factories.level_product(printer, 1, title="D3D printer, assembled", price="985.00")
    factories.offer(fab, printer_1, price="950.00", stock=3)
    factories.offer(closed, printer_1, price="900.00", stock=3)
    valid = factories.certify(printer, holders=[fab.operator, factories.UserFactory(first_name="Ada", last_name="L")])
    licence = factories.level_product(printer, 3, title="D3D licence", price="5000.00")
    factories.offer(fab, licence, price="4800.00", stock=None)
    axis = factories.level_product(frame, 1, title="Universal axis kit", price="120.00", stock=0)
    factories.offer(fab, axis, price="110.00", stock=0)
    press_2 = factories.level_product(press, 2, title="CEB press workshop", price="300.00")
    draft = factories.level_product(tractor, 1, title="LifeTrac prototype", price="9000.00")
    draft.is_public = False
    draft.save()
    factories.offer(fab, draft, price="8800.00")

    revoked = factories.certify(press, holders=[fab.operator])
    Certificate.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now(), revoked_reason="Fake test results.")
    expired = factories.certify(tractor, holders=[fab.operator])
    Certificate.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    storefront_services.suspend_storefront(storefront=closed, staff=factories.UserFactory(is_staff=True),
                                           reason="Unpaid fees.")  # fmt: skip

    last_month = timezone.now() - timedelta(days=40)
    funds.allocate_support_payment(reference="support:1", partner_id=fab.partner_id, amount=Decimal("1000.00"),
                                   currency="USD", card=False, value_date=last_month, memo="True Fans")  # fmt: skip
    funds.spend_from_fund(fund=Account.CAMPUS_FUND, amount=Decimal("25.00"), reference="spend:1", memo="Tools")
    return {
        "printer": printer, "frame": frame, "press": press, "tractor": tractor, "fab": fab, "closed": closed,
        "printer_1": printer_1, "licence": licence, "axis": axis, "press_2": press_2, "draft": draft,
        "valid": valid, "revoked": revoked, "expired": expired,
    }  # fmt: skip


@pytest.fixture
def api_auth_headers(open_data, django_capture_on_commit_callbacks) -> dict:
    """Headers every schemathesis request sends: a write token of "Apartment Fab" (the operator endpoints' own
    fixture data: its offers, and a paid order part). The open endpoints read none."""
    from tests.api.operator_helpers import operator_fixture_data, token_for

    operator_fixture_data(open_data, capture=django_capture_on_commit_callbacks)
    return {"Authorization": f"Bearer {token_for(open_data['fab'])}"}


@pytest.fixture
def api_schema(open_data):
    """The live OpenAPI schema, read from the app itself (as a client reads /api/schema/), over ``open_data``."""
    import schemathesis
    from schemathesis import GenerationMode

    from marketplace.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=8, deterministic=True,
        no_shrink=True, database="none",
    )  # fmt: skip
    return schema
