"""Test data builders. Oscar's own factories build our forked Product, partners, stock records and orders."""

from decimal import Decimal

from oscar.test.factories import (  # noqa: F401 - re-exported for tests
    PartnerFactory,
    ProductClassFactory,
    ProductFactory,
    StockRecordFactory,
    UserFactory,
    create_order,
    create_product,
)

from catalog.models import Category


def product_in_stock(*, title="D3D 3D printer", price="985.00", stock=10, upc=None, category: Category | None = None):
    product = create_product(title=title, upc=upc, price=Decimal(price), num_in_stock=stock)
    if category is not None:
        product.categories.add(category)
    return product


def category(name="3D printers"):
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    return create_from_breadcrumbs(name)


def product_class(level_slug: str):
    from catalog.models import ProductClass

    return ProductClass.objects.get(slug=level_slug)


def design(*, name="D3D 3D printer", slug=None, category_name="3D printers", **fields):
    from django.utils.text import slugify

    from catalog.models import Design

    defaults = {
        "summary": f"An open source {name.lower()}.",
        "hardware_licence": "CERN-OHL-S-2.0",
        "software_licence": "GPL-3.0-or-later",
        "documentation_licence": "CC-BY-SA-4.0",
        "category": category(category_name),
    }
    return Design.objects.create(name=name, slug=slug or slugify(name), **{**defaults, **fields})


LEVEL_CLASS = {1: "level-1-physical", 2: "level-2-training", 3: "level-3-licence"}


def level_product(design, level: int, *, title=None, price="100.00", stock=5, partner_name="Factor e Farm"):
    """A public product of ``design`` at ``level`` with one offer from ``partner_name``."""
    from catalog.models import LicenceTerms, Product

    product = Product.objects.create(
        title=title or f"{design.name} level {level}",
        product_class=product_class(LEVEL_CLASS[level]),
        design=design,
        is_public=True,
    )
    product.categories.add(design.category)
    add_offer(product, price=price, stock=None if level == 3 else stock, partner_name=partner_name)
    if level == 3:
        LicenceTerms.objects.create(product=product, term_months=24, territory="Worldwide", unit_cap=1000)
    return product


def add_offer(product, *, price="100.00", stock=5, partner_name="Factor e Farm"):
    from oscar.core.loading import get_model

    Partner = get_model("partner", "Partner")
    partner, _ = Partner.objects.get_or_create(name=partner_name)
    return product.stockrecords.create(
        partner=partner,
        partner_sku=f"{partner.pk}-{product.pk}",
        price=Decimal(price),
        price_currency="USD",
        num_in_stock=stock,
    )


CITIES = {
    # name: (country, latitude, longitude)
    "Berlin": ("DE", "52.524370", "13.410530"),
    "Lyon": ("FR", "45.748460", "4.846710"),
    "Nairobi": ("KE", "-1.283330", "36.816670"),
    "Kansas City": ("US", "39.099730", "-94.578570"),
    "Portland": ("US", "45.523100", "-122.676500"),
    "Maysville": ("US", "39.889200", "-94.362200"),
}


def storefront(name="Apartment Fab", *, tier="campus", city="Kansas City", active=True, operator=None):
    """An operator's storefront in ``city``; approved (active, with its Oscar partner) unless ``active=False``."""
    from django.utils.text import slugify

    from marketplace.storefronts import services
    from tiers.models import Tier

    country, latitude, longitude = CITIES[city]
    slug = slugify(name)
    operator = operator or UserFactory(email=f"{slug}@example.com")
    store = services.apply_for_storefront(
        operator=operator, slug=slug, name=name, tier=Tier.objects.get(code=tier), contact_email=operator.email,
        city=city, country=country, latitude=Decimal(latitude), longitude=Decimal(longitude),
    )  # fmt: skip
    if active:
        store = services.approve_storefront(storefront=store, staff=None, notify=False)
    return store


def offer(store, product, *, price="100.00", stock=5):
    from marketplace.storefronts import services

    return services.save_offer(storefront=store, product=product, price=Decimal(price), num_in_stock=stock)


def certify(design, *, holders=(), days_valid=365):
    """A valid certificate for ``design``'s current version whose mark holders are ``holders`` (users)."""
    from datetime import timedelta

    from django.utils import timezone

    from certification.models import Certificate, CertificationApplication, Contribution, MarkHolder

    applicant = holders[0] if holders else UserFactory()
    application = CertificationApplication.objects.create(
        design=design, design_version=design.version, applicant=applicant, status="approved"
    )
    now = timezone.now()
    certificate = Certificate.objects.create(
        public_id=f"pending-{application.pk}", application=application, design=design,
        design_version=design.version, issued_at=now, expires_at=now + timedelta(days=days_valid),
    )  # fmt: skip
    # numbered by the certificate's own id, as certification.services numbers them (an id taken from elsewhere
    # could meet a certificate the services issued in the same database)
    certificate.public_id = f"OSE-{now.year}-{certificate.pk:06d}"
    certificate.save(update_fields=["public_id"])
    for user in holders:
        contribution = Contribution.objects.create(
            design=design, design_version=design.version, author=user, kind="improvement",
            description="An accepted improvement", status="accepted",
        )  # fmt: skip
        MarkHolder.objects.create(certificate=certificate, user=user, contribution=contribution)
    return certificate


def checkout(offers, *, capture, email="buyer@example.com", method="bank-transfer", client=None, quantities=None):
    """A shopper's whole checkout through the site: each offer into the basket, a guest (or ``client``'s signed-in
    user) address, the payment method, and the order placed (its on-commit tasks run). Returns the order."""
    from django.test import Client
    from django.urls import reverse
    from oscar.core.loading import get_model

    from tests.checkout.test_checkout import ADDRESS

    shopper = client or Client()
    for offer in offers:
        quantity = (quantities or {}).get(offer.pk, 1)
        shopper.post(reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": quantity, "offer": offer.pk})
    if client is None:
        shopper.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
    shopper.post(reverse("checkout:shipping-address"), ADDRESS)
    shopper.get(reverse("checkout:shipping-method"), follow=True)
    shopper.post(reverse("checkout:preview"), {"payment_method": method})
    with capture(execute=True):
        placed = shopper.post(reverse("checkout:preview"), {"action": "place_order"})
    assert placed.status_code == 302, placed.content.decode()[-2000:]
    return get_model("order", "Order").objects.latest("pk")


def pay_offline(order, *, capture, staff=None):
    """Staff confirm the bank transfer; the paid order's tasks (fulfilment, allocation) run."""
    from marketplace.payments.services import confirm_offline_payment

    staff = staff or UserFactory(is_staff=True)
    with capture(execute=True):
        confirm_offline_payment(order_id=order.pk, actor=staff, reference="SEPA test")
    order.refresh_from_db()
    return order


def staff(*permissions: str, email=None):
    """A staff account holding ``permissions`` ("app_label.codename"), as a shop administrator grants them in the
    admin; a superuser is ``UserFactory(is_staff=True, is_superuser=True)``."""
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True, **({"email": email} if email else {}))
    for permission in permissions:
        label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=label, codename=codename))
    return user


def webhook_with_delivery(store) -> dict:
    """The storefront's webhook endpoint and one failed delivery in its log, as the access tables name them."""
    from marketplace.webhooks.models import Delivery, Endpoint, Event

    endpoint = Endpoint.objects.create(storefront=store, url=f"https://{store.slug}.example.com/hooks",
                                       events=["part.paid"])  # fmt: skip
    event = Event.objects.create(storefront=store, type="test", data={})
    return {"webhookendpoint": endpoint.pk,
            "webhookdelivery": Delivery.objects.create(event=event, endpoint=endpoint, status=Delivery.FAILED).pk}


def service_request(store, shopper, unit_id):
    """A repair the unit's owner asked for, routed to the storefront."""
    from marketplace.stewardship.models import ServiceRequest

    return ServiceRequest.objects.create(unit_id=unit_id, owner=shopper, kind="repair", description="It rattles",
                                         location="Berlin, DE", latitude=Decimal("52.52"), longitude=Decimal("13.40"),
                                         storefront=store, route="holder", distance_km=Decimal("1.0"))  # fmt: skip
