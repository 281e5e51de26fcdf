"""A storefront's token never reaches another storefront's objects: every operator endpoint and method, read from
the router (a new endpoint fails here until it is declared), asked by Lyon's token for Berlin's objects, answers
the not-found answer (or lists only Lyon's own), and changes nothing of Berlin's."""

import pytest

from marketplace.api import operator_urls
from tests.api import operator_helpers
from tests.api.operator_helpers import OPERATOR_API, api, token_for

pytestmark = pytest.mark.django_db
paid_parts = operator_helpers.paid_parts  # a fixture


def operator_endpoints():
    """(route, method, action) of every operator endpoint, from the router's URL patterns."""
    found = []
    for pattern in operator_urls.urlpatterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        for method, action in pattern.callback.actions.items():
            if method == "head":
                continue  # a GET without its body: the GET's answer is checked
            found.append((route, method.upper(), action))
    return sorted(found)


# What each endpoint answers Lyon's write token asking for Berlin's objects ("own" = 200 with only Lyon's own).
EXPECTED = {
    ("offers/", "GET"): "own", ("offers/", "POST"): "own",  # a product is the shop's: Lyon may offer it too
    ("offers/stock/", "POST"): 409,  # Berlin's SKU is "no offer of yours"
    ("offers/<pk>/", "GET"): 404, ("offers/<pk>/", "PATCH"): 404,
    ("offers/<pk>/withdraw/", "POST"): 404, ("offers/<pk>/relist/", "POST"): 404,
    ("parts/", "GET"): "own", ("parts/<pk>/", "GET"): 404,
    ("parts/<pk>/ship/", "POST"): 404, ("parts/<pk>/refund/", "POST"): 404,
    ("revenue/", "GET"): "own", ("revenue/summary/", "GET"): "own",
}  # fmt: skip


def _route(route):
    return route.replace("(?P<id>[^/.]+)", "<pk>")


def test_every_operator_endpoint_is_declared():
    declared = {(_route(route), method) for route, method, _ in operator_endpoints()}
    assert declared == set(EXPECTED)


def test_a_token_of_storefront_b_never_sees_or_changes_storefront_a(two_operators, paid_parts):
    berlin, lyon = two_operators["berlin"], two_operators["lyon"]
    printer, part = two_operators["printer"], paid_parts["berlin"]
    theirs = {"offers": printer.pk, "parts": part.pk}
    body = {
        "offers/": {"product": printer.product_id, "price": "1.00", "num_in_stock": 1},
        "offers/stock/": {"offers": [{"sku": printer.partner_sku, "num_in_stock": 0}]},
        "offers/<pk>/": {"price": "1.00", "num_in_stock": 0},
        "parts/<pk>/ship/": {"carrier": "DHL", "tracking_number": "1"},
        "parts/<pk>/refund/": {"lines": [{"line": part.lines.get().pk, "amount": "1.00"}], "reason": "x"},
    }
    before = (printer.price, printer.num_in_stock, printer.withdrawn_at, part.status)
    lyon_client = api(token_for(lyon))
    wrong = []
    for route, method, _action in operator_endpoints():
        name = _route(route)
        url = OPERATOR_API + name.replace("<pk>", str(theirs.get(name.split("/")[0])))
        response = getattr(lyon_client, method.lower())(url, body.get(name, {}), format="json")
        want = EXPECTED[(name, method)]
        text = response.content.decode()
        if want == "own":
            leaks = [value for value in (berlin.name, part.order.number, printer.partner_sku) if str(value) in text]
            if response.status_code not in (200, 201) or leaks:
                wrong.append(f"{method} {url}: {response.status_code}, shows {leaks}")
        elif response.status_code != want or response.status_code == 200:
            wrong.append(f"{method} {url}: {response.status_code}, not {want}")
    assert wrong == []
    # and nothing of Berlin's changed
    printer.refresh_from_db()
    part.refresh_from_db()
    assert (printer.price, printer.num_in_stock, printer.withdrawn_at, part.status) == before
    assert not part.refunds.exists()


def test_the_not_found_answer_is_the_same_as_for_a_missing_object(two_operators, paid_parts):
    lyon_client = api(token_for(two_operators["lyon"]))
    for kind, theirs in (("offers", two_operators["printer"].pk), ("parts", paid_parts["berlin"].pk)):
        missing, foreign = (lyon_client.get(f"{OPERATOR_API}{kind}/{pk}/") for pk in (999999, theirs))
        assert (missing.status_code, missing.json()) == (foreign.status_code, foreign.json())
        assert foreign.status_code == 404


@pytest.mark.parametrize("pk", ["abc", "-1", "1.5", str(10**12)])
def test_an_id_that_is_not_one_is_a_json_404(two_operators, pk):
    response = api(token_for(two_operators["lyon"])).get(f"{OPERATOR_API}offers/{pk}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith(("No offer of yours has this id.", "No endpoint has this address"))
