"""The public unit page: what a label's QR code shows anyone (no personal data), the lookup, an unknown serial, and
ownership passed on with a link that works once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from marketplace.fulfilment.models import LineFulfilment
from marketplace.fulfilment.services import open_operator_orders
from marketplace.lifecycle import serials
from marketplace.lifecycle.models import Unit
from marketplace.stewardship import services
from marketplace.stewardship.models import Transfer
from tests import factories
from tests.stewardship.conftest import make_unit

pytestmark = pytest.mark.django_db


def test_the_unit_page_shows_the_unit_and_no_personal_data(world, client):
    owner = world["owner"]
    owner.first_name, owner.last_name = "Ada", "Lovelace"
    owner.save()
    order = world["unit"].line.order
    page = client.get(reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})).content.decode()
    assert world["unit"].serial in page and "D3D printer" in page and "Berlin Fab" in page
    assert "In service" in page
    for private in ("Ada", "Lovelace", owner.email, str(order.number)):
        assert private not in page
    if order.shipping_address:
        assert order.shipping_address.line1 not in page


def test_a_unit_in_production_has_no_page_yet(world, client):
    from tests.stewardship.conftest import make_unit

    unit = make_unit(owner=world["owner"], design=world["design"], maker=world["berlin"], state=Unit.IN_PRODUCTION)
    assert client.get(reverse("stewardship:unit", kwargs={"serial": unit.serial})).status_code == 404


def test_an_unknown_serial_is_the_shops_404_with_a_way_back(client):
    response = client.get(reverse("stewardship:unit", kwargs={"serial": serials.new_serial()}))
    assert response.status_code == 404
    assert reverse("stewardship:lookup") in response.content.decode()


def test_the_lookup_reads_a_serial_as_typed(world, client):
    serial = world["unit"].serial
    typed = serial.lower().replace("-", " ")
    response = client.get(reverse("stewardship:lookup"), {"serial": typed})
    assert response.url == reverse("stewardship:unit", kwargs={"serial": serial})


def test_the_lookup_says_check_the_label_for_a_wrong_check_character(world, client):
    serial = world["unit"].serial
    wrong = serial[:-1] + ("0" if serial[-1] != "0" else "1")
    response = client.get(reverse("stewardship:lookup"), {"serial": wrong})
    assert response.status_code == 400
    assert "check the serial on the label" in response.content.decode()


def test_the_owner_sees_what_they_may_do_others_do_not(world, client):
    url = reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})
    assert "ask-form" not in client.get(url).content.decode()
    client.force_login(world["owner"])
    page = client.get(url).content.decode()
    assert "ask-form" in page and "transfer-form" in page


def _claim_link() -> str:
    return re.search(r"https?://\S+/units/claim/\S+/", mail.outbox[-1].body).group(0)


def test_a_transfer_link_works_once(world, client, django_capture_on_commit_callbacks):
    url = reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})
    client.force_login(world["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "transfer", "email": "friend@example.org"}, follow=True)
    assert "If that address is right" in response.content.decode()
    assert mail.outbox[-1].to == ["friend@example.org"]
    path = _claim_link().split("://", 1)[1].split("/", 1)[1]
    friend = factories.UserFactory(email="friend@example.org")
    client.force_login(friend)
    client.post("/" + path)
    world["unit"].refresh_from_db()
    assert world["unit"].owner == friend
    transfer = Transfer.objects.get()
    assert transfer.claimed_by == friend and transfer.from_user == world["owner"]
    # a second use, by anyone, does nothing
    third = factories.UserFactory()
    client.force_login(third)
    assert client.get("/" + path).status_code == 404
    client.post("/" + path)
    world["unit"].refresh_from_db()
    assert world["unit"].owner == friend


def test_the_transfer_says_the_same_whether_the_address_has_an_account(world, client):
    factories.UserFactory(email="known@example.org")
    url = reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})
    client.force_login(world["owner"])
    known = client.post(url, {"action": "transfer", "email": "known@example.org"}, follow=True).content.decode()
    unknown = client.post(url, {"action": "transfer", "email": "nobody@example.org"}, follow=True).content.decode()
    message = "If that address is right, its owner will get a link"
    assert message in known and message in unknown


def test_an_expired_or_forged_link_does_nothing(world, client):
    transfer = services.start_transfer(unit=world["unit"], user=world["owner"], email="friend@example.org")
    from django.core import signing

    token = signing.dumps({"t": transfer.pk}, salt=services.TRANSFER_SALT)
    Transfer.objects.filter(pk=transfer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(factories.UserFactory())
    assert client.get(reverse("stewardship:claim", kwargs={"token": token})).status_code == 404
    assert client.get(reverse("stewardship:claim", kwargs={"token": token + "x"})).status_code == 404


def test_only_the_owner_may_pass_it_on(world):
    with pytest.raises(services.StewardshipError):
        services.start_transfer(unit=world["unit"], user=factories.UserFactory(), email="x@example.org")


@pytest.mark.django_db
def test_an_owner_finds_their_units_from_the_order_page_and_the_lookup(world, client):
    """Without the label at hand: the order page names each shipped unit's serial, linked to its page, and the
    lookup lists the signed-in owner's own units (never anyone else's)."""
    unit = world["unit"]
    order = unit.line.order
    open_operator_orders(order=order)  # the order's parts, as placing it makes them
    LineFulfilment.objects.create(line=unit.line, kind=LineFulfilment.SHIPMENT, state=LineFulfilment.SHIPPED)
    other = make_unit(owner=factories.UserFactory(), design=world["design"], maker=world["berlin"])
    client.force_login(world["owner"])
    order_page = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()
    assert reverse("stewardship:unit", kwargs={"serial": unit.serial}) in order_page
    lookup = client.get(reverse("stewardship:lookup")).content.decode()
    assert "Your units" in lookup and unit.serial in lookup and other.serial not in lookup
    client.logout()
    assert "Your units" not in client.get(reverse("stewardship:lookup")).content.decode()
