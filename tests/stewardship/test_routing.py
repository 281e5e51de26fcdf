"""Where a request goes: the nearest holder of the design's mark, else the nearest seller, else nobody; a decline
sends it on and never back."""

import pytest
from django.urls import reverse

from marketplace.stewardship import routing, services
from marketplace.stewardship.models import ServiceRequest
from marketplace.storefronts.geo import locate
from tests import factories
from tests.stewardship.conftest import make_unit

pytestmark = pytest.mark.django_db


def test_the_nearest_mark_holder_is_asked_not_a_nearer_seller(world):
    # Lyon sells the printer and is nearer Paris than Berlin; Berlin holds the mark, so Berlin is asked
    found = routing.route(design=world["design"], origin=locate("Paris, FR"))
    assert found.storefront == world["berlin"]
    assert found.reason == "holder"
    assert 800 < found.distance_km < 900


def test_of_two_holders_the_nearer_is_asked(world):
    found = routing.route(design=world["design"], origin=locate("Mombasa, KE"))
    assert found.storefront == world["nairobi"]


def test_without_a_holder_the_nearest_seller_is_asked(world):
    from certification.models import MarkHolder

    MarkHolder.objects.all().delete()
    found = routing.route(design=world["design"], origin=locate("Paris, FR"))
    assert (found.storefront, found.reason) == (world["lyon"], "seller")


def test_a_suspended_holder_is_not_asked(world):
    world["berlin"].status = world["berlin"].SUSPENDED
    world["berlin"].save(update_fields=["status"])
    found = routing.route(design=world["design"], origin=locate("Paris, FR"))
    assert found.storefront == world["nairobi"]


def test_nobody_holds_or_sells_it(world):
    other = factories.design(name="Brick press")
    found = routing.route(design=other, origin=locate("Paris, FR"))
    assert (found.storefront, found.reason) == (None, "nobody")


def test_a_decline_goes_to_the_next_nearest_and_never_back(world):
    request = services.ask(unit=world["unit"], user=world["owner"], kind="repair", description="Noisy",
                           location="Paris, FR")  # fmt: skip
    assert request.storefront == world["berlin"]
    request = services.decline(request=request, storefront=world["berlin"], reason="Booked for a month")
    assert (request.storefront, request.route) == (world["nairobi"], "holder")
    request = services.decline(request=request, storefront=world["nairobi"], reason="Too far")
    assert (request.storefront, request.route) == (world["lyon"], "seller")
    request = services.decline(request=request, storefront=world["lyon"], reason="No parts")
    assert request.storefront is None and request.route == "nobody"
    assert request.declines.count() == 3


def test_the_owner_sees_where_it_went_and_why(world, client):
    client.force_login(world["owner"])
    response = client.post(reverse("stewardship:unit", kwargs={"serial": world["unit"].serial}),
                           {"action": "ask", "kind": "repair", "description": "The Y axis sticks",
                            "location": "Paris, FR"}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Berlin Fab" in page and "nearest holder of the OSE Certified mark" in page and " km from " in page


def test_only_the_owner_may_ask(world, client):
    stranger = factories.UserFactory()
    with pytest.raises(services.StewardshipError):
        services.ask(unit=world["unit"], user=stranger, kind="repair", description="x", location="Paris, FR")
    client.force_login(stranger)
    url = reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})
    client.post(url, {"action": "ask", "kind": "repair", "description": "x", "location": "Paris, FR"})
    assert not ServiceRequest.objects.exists()
    assert "ask-form" not in client.get(url).content.decode()


def test_a_place_not_found_keeps_what_was_typed(world, client):
    client.force_login(world["owner"])
    url = reverse("stewardship:unit", kwargs={"serial": world["unit"].serial})
    response = client.post(url, {"action": "ask", "kind": "upgrade", "description": "Wider bed please",
                                 "location": "Nowhereville, ZZ"})  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not find" in page and "Wider bed please" in page


def test_one_open_request_per_unit(world):
    services.ask(unit=world["unit"], user=world["owner"], kind="repair", description="a", location="Berlin, DE")
    with pytest.raises(services.StewardshipError, match="already has an open request"):
        services.ask(unit=world["unit"], user=world["owner"], kind="repair", description="b", location="Berlin, DE")


def test_operators_see_only_their_own_requests(world, client):
    request = services.ask(unit=world["unit"], user=world["owner"], kind="repair", description="a",
                           location="Paris, FR")  # fmt: skip
    client.force_login(world["lyon"].operator)
    assert client.get(reverse("stewardship:operator-request", kwargs={"pk": request.pk})).status_code == 404
    assert client.post(reverse("stewardship:operator-request", kwargs={"pk": request.pk}),
                       {"action": "accept"}).status_code == 404  # fmt: skip
    request.refresh_from_db()
    assert request.status == ServiceRequest.OPEN
    client.force_login(world["berlin"].operator)
    listing = client.get(reverse("stewardship:operator-requests")).content.decode()
    assert world["unit"].serial in listing


def test_another_owners_request_page_is_a_404(world, client):
    request = services.ask(unit=world["unit"], user=world["owner"], kind="repair", description="a",
                           location="Paris, FR")  # fmt: skip
    client.force_login(factories.UserFactory())
    url = reverse("stewardship:request", kwargs={"serial": world["unit"].serial, "pk": request.pk})
    assert client.get(url).status_code == 404


def test_a_unit_under_repair_cannot_be_asked_again(world):
    unit = make_unit(owner=world["owner"], design=world["design"], maker=world["berlin"], state="recycled")
    with pytest.raises(services.StewardshipError, match="only a unit in service"):
        services.ask(unit=unit, user=world["owner"], kind="repair", description="a", location="Berlin, DE")
