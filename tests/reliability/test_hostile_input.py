"""Hostile input: hostile image files through the real upload forms, and fuzzed forms that must never answer with a
server error. The page checker of the stored-XSS test is checked here too."""

import io
import resource
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from certification.models import CertificationApplication
from marketplace.fulfilment.models import OperatorOrder
from tests import factories
from tests.reliability.hostile.html import active_content, form_data, injected
from tests.reliability.hostile.images import hostile_corpus, jpeg_with_exif_and_trailer, picture

pytestmark = pytest.mark.django_db

# Stored XSS in every text a non-staff person writes: tests/reliability/test_stored_xss.py.


@pytest.fixture
def shop(two_operators, django_capture_on_commit_callbacks):
    """Berlin Fab's paid order from a signed-in shopper, a staff member, a certifier and a pending application."""
    capture = django_capture_on_commit_callbacks
    shopper = factories.UserFactory(email="shopper@example.com")
    browser = Client()
    browser.force_login(shopper)
    order = factories.pay_offline(
        factories.checkout([two_operators["printer"]], capture=capture, client=browser), capture=capture
    )
    staff = factories.UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    certifier = factories.UserFactory(email="certifier@example.com")
    certifier.groups.add(Group.objects.get(name="Certifiers"))
    design = two_operators["printer"].product.design
    application = CertificationApplication.objects.create(
        design=design, design_version=design.version, applicant=two_operators["berlin"].operator
    )
    return {**two_operators, "order": order, "shopper": browser, "staff": staff, "certifier": certifier,
            "design": design, "application": application, "capture": capture}  # fmt: skip


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_checker_sees_what_it_should():
    assert injected('<p><img src=x onerror="alert(1)"></p>', "<p></p>") == ["<img onerror=...>"]
    assert injected('<a href=" JaVa&#x0A;script:alert(1)">x</a>', "") == ["<a href=' JaVa\\nscript:alert(1)'>"]
    assert injected('<a href="java\u200bscript:alert(1)">x</a>', "") == []  # an invalid scheme: a relative URL
    assert injected("<script>alert(1)</script>", "") == ["1 inline scripts"]
    assert active_content("<p>&lt;script&gt;</p>") == ["0 inline scripts"]


# --- image uploads -----------------------------------------------------------------------------------------------


def _upload_logo(client, name, content):
    page = client.get(reverse("storefronts:dashboard")).content.decode()
    data = {k: v for k, v in form_data(page).items() if k not in ("tier", "motivation", "reference")}
    return client.post(reverse("storefronts:dashboard"), {**data, "logo": SimpleUploadedFile(name, content)})


def _upload_design_image(client, design, name, content):
    url = reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})
    data = form_data(client.get(url).content.decode())
    return client.post(url, {**data, "images-0-image": SimpleUploadedFile(name, content), "images-0-caption": "x"})


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_hostile_images_are_refused_quickly_with_a_form_error(shop, monkeypatch):
    from PIL import ImageFile

    from catalog.images import MAX_PIXELS

    # Work counted, not seconds: every image Pillow decodes is noted with its size; a refusal reads the header only,
    # so no bomb's pixels are ever decoded (decoding one would take seconds and gigabytes).
    decoded, load = [], ImageFile.ImageFile.load

    def noted_load(image):
        decoded.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", noted_load)
    operator, staff = _as(shop["berlin"].operator), _as(shop["staff"])
    corpus = hostile_corpus()
    assert len(corpus) >= 12
    start_rss, slow, accepted = _peak_rss_mb(), [], []
    for what, name, content in corpus:
        for form in ("logo", "design image"):
            decoded.clear()
            if form == "logo":
                response = _upload_logo(operator, name, content)
            else:
                response = _upload_design_image(staff, shop["design"], name, content)
            if any(width * height > MAX_PIXELS for width, height in decoded):
                slow.append(f"{what} ({form}): decoded {decoded}")
            errors = response.context and (response.context.get("form") and response.context["form"].errors)
            if form == "design image" and response.context:
                errors = errors or any(f.errors for f in response.context["images"].forms)
            if response.status_code != 200 or not errors:
                accepted.append(f"{what} ({form}): {response.status_code}")
    assert accepted == []
    assert slow == []
    assert _peak_rss_mb() - start_rss < 300  # no bomb was decoded
    shop["berlin"].refresh_from_db()
    assert not shop["berlin"].logo and not shop["design"].images.exists()


def test_accepted_images_are_re_encoded_without_exif_or_trailing_data(shop):
    operator, staff = _as(shop["berlin"].operator), _as(shop["staff"])
    upload = jpeg_with_exif_and_trailer()
    assert _upload_logo(operator, "logo.png", upload).status_code == 302  # a JPEG named .png is fine, once re-encoded
    shop["berlin"].refresh_from_db()
    stored = shop["berlin"].logo.read()
    assert stored != upload and b"TRAILING-DATA" not in stored and b"SpyCam" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (64, 48) and not image.getexif()
    assert shop["berlin"].logo.name.endswith(".jpg")

    png = picture("PNG") + b"appended"
    assert _upload_design_image(staff, shop["design"], "photo.png", png).status_code == 302
    stored = shop["design"].images.get().image.read()
    assert stored != png and not stored.endswith(b"appended")


# --- fuzzed forms -------------------------------------------------------------------------------------------------

QUANTITIES = st.one_of(
    st.sampled_from(["-1", "0", str(2**63), "1.5", "1e9", "NaN", "inf", "", " ", "0x10", "١", "1" * 400]),
    st.integers(min_value=-(2**64), max_value=2**64).map(str),
    st.text(max_size=30),
)
TEXT = st.one_of(st.text(max_size=300), st.sampled_from(["x" * 5000, "\u202e\u0000", "😀" * 200, "\ud7ff" * 10]))
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _clean(value: str) -> str:
    return value.replace("\x00", "")  # the test client cannot send NUL in a form (browsers cannot either)


@FUZZ
@given(quantity=QUANTITIES)
def test_basket_add_never_fails(client, two_operators, quantity):
    offer = two_operators["printer"]
    url = reverse("basket:add", kwargs={"pk": offer.product_id})
    assert client.post(url, {"quantity": _clean(quantity), "offer": offer.pk}).status_code < 500
    assert client.post(url, {"quantity": "1", "offer": _clean(quantity)}).status_code < 500


@FUZZ
@given(charge=QUANTITIES, percent=QUANTITIES, latitude=QUANTITIES, name=TEXT, about=TEXT)
def test_storefront_settings_never_fail(two_operators, charge, percent, latitude, name, about):
    operator = _as(two_operators["berlin"].operator)
    data = {k: v for k, v in form_data(operator.get(reverse("storefronts:dashboard")).content.decode()).items()
            if k not in ("tier", "motivation", "reference")}  # fmt: skip
    data.update(shipping_charge=_clean(charge), campus_fund_percent=_clean(percent), latitude=_clean(latitude),
                name=_clean(name), about=_clean(about))  # fmt: skip
    assert operator.post(reverse("storefronts:dashboard"), data).status_code < 500


@FUZZ
@given(price=QUANTITIES, stock=QUANTITIES)
def test_offer_price_and_stock_never_fail(two_operators, price, stock):
    operator = _as(two_operators["berlin"].operator)
    url = reverse("dashboard:catalogue-product", kwargs={"pk": two_operators["printer"].product_id})
    data = form_data(operator.get(url).content.decode(), form_id="create_update_product_form")
    data.update({"stockrecords-0-price": _clean(price), "stockrecords-0-num_in_stock": _clean(stock)})
    assert operator.post(url, data).status_code < 500


@pytest.fixture
def paid_part(shop):
    return OperatorOrder.objects.get(order=shop["order"])


@FUZZ
@given(amount=QUANTITIES, shipping=QUANTITIES, reason=TEXT)
def test_refund_amounts_never_fail(shop, paid_part, amount, shipping, reason):
    operator = _as(shop["berlin"].operator)
    line = shop["order"].lines.get()
    data = {f"amount_{line.pk}": _clean(amount), "shipping_amount": _clean(shipping), "reason": _clean(reason)}
    with shop["capture"](execute=True):
        assert operator.post(reverse("fulfilment:refund-part", kwargs={"pk": paid_part.pk}), data).status_code < 500


@FUZZ
@given(first=TEXT, line1=TEXT, postcode=TEXT, country=st.sampled_from(["US", "DE", "XX", "", "us", "🇺🇸"]))
def test_checkout_address_never_fails(two_operators, first, line1, postcode, country):
    shopper = Client()
    offer = two_operators["printer"]
    shopper.post(reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": 1, "offer": offer.pk})
    shopper.post(reverse("checkout:index"), {"username": "guest@example.com", "options": "anonymous"})
    data = {"first_name": _clean(first), "last_name": "Maker", "line1": _clean(line1), "line4": "Town",
            "postcode": _clean(postcode), "country": country, "phone_number": ""}  # fmt: skip
    assert shopper.post(reverse("checkout:shipping-address"), data).status_code < 500


def test_money_in_the_fixture_is_decimal(two_operators):
    assert isinstance(two_operators["printer"].price, Decimal)
