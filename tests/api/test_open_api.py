"""The open API shows what the public pages show and nothing they hide; filters, pages, errors and the throttle
answer in JSON; the schema lists every endpoint."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

V1 = "/api/v1/"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def get(client, path, **params):
    response = client.get(path, params)
    assert response["Content-Type"].startswith("application/json"), (path, response.content[:300])
    return response


def every_page(client, path) -> list:
    found, url = [], path
    while url:
        body = get(client, url).json()
        found += body["results"]
        url = body["next"]
    return found


def test_designs_show_levels_licences_cost_score_bom_and_certificates(client, open_data):
    design = get(client, f"{V1}designs/d3d-printer/").json()

    assert design["levels"] == [1, 3]
    assert design["licences"] == {"hardware": "CERN-OHL-S-2.0", "software": "GPL-3.0-or-later",
                                  "documentation": "CC-BY-SA-4.0"}  # fmt: skip
    assert design["documentation"]["completeness"] == 17  # one of six areas complete
    assert design["full_cost"]["rows"][0] == {"label": "Materials", "amount": {"amount": "400.00", "currency": "USD"}}
    assert isinstance(design["full_cost"]["total"]["amount"], str)  # money is a decimal string, never a float
    assert design["specifications_score"]["score"] == "82.50"
    components = [edge["component"]["slug"] for edge in design["bill_of_materials"] if edge["component"]]
    assert components == ["universal-axis"]
    assert design["certification"]["certified"] is True
    assert design["certification"]["valid_certificates"][0]["public_id"] == open_data["valid"].public_id
    assert design["url"] == "http://testserver/api/v1/designs/d3d-printer/"  # absolute
    used_in = get(client, f"{V1}designs/universal-axis/").json()["used_in"]
    assert [edge["slug"] for edge in used_in] == ["d3d-printer"]


def test_a_revoked_or_expired_certificate_does_not_make_a_design_certified(client, open_data):
    assert get(client, f"{V1}designs/ceb-press/").json()["certification"] == {"certified": False,
                                                                              "valid_certificates": []}  # fmt: skip
    certified = [d["slug"] for d in get(client, f"{V1}designs/", certified="true").json()["results"]]
    assert certified == ["d3d-printer"]


@pytest.mark.parametrize(
    ("params", "slugs"),
    [
        ({"level": 3}, ["d3d-printer"]),
        ({"licence": "CERN-OHL-P-2.0"}, ["ceb-press"]),
        ({"min_score": 80}, ["d3d-printer"]),
        ({"min_score": 90}, []),
        ({"certified": "false"}, ["ceb-press", "lifetrac", "universal-axis"]),
        ({"search": "press"}, ["ceb-press"]),
        ({"ordering": "-name"}, ["universal-axis", "lifetrac", "d3d-printer", "ceb-press"]),
    ],
)
def test_design_filters(client, open_data, params, slugs):
    assert [d["slug"] for d in get(client, f"{V1}designs/", **params).json()["results"]] == slugs


def test_products_are_the_public_ones_with_live_offers_only(client, open_data):
    products = {p["title"]: p for p in every_page(client, f"{V1}products/")}

    assert "LifeTrac prototype" not in products  # a draft (not public) product
    assert "CEB press workshop" in products
    printer = products["D3D printer, assembled"]
    sellers = [offer["seller"] for offer in printer["offers"]]
    assert "Closed Fab" not in sellers  # a suspended storefront's offer is not live
    fab = next(offer for offer in printer["offers"] if offer["seller"] == "Apartment Fab")
    assert fab["price"] == {"amount": "950.00", "currency": "USD"}
    assert fab["availability"] == "in_stock"
    assert fab["storefront"]["url"] == "http://testserver/api/v1/storefronts/apartment-fab/"
    axis = products["Universal axis kit"]
    assert {offer["availability"] for offer in axis["offers"]} == {"sold_out"}
    assert get(client, f"{V1}products/{open_data['draft'].pk}/").status_code == 404


def test_storefronts_are_the_active_ones_with_their_marks_and_no_contact_details(client, open_data):
    storefronts = every_page(client, f"{V1}storefronts/")

    assert [s["slug"] for s in storefronts] == ["apartment-fab"]
    fab = storefronts[0]
    assert fab["tier"]["code"] == "campus"
    assert (fab["city"], fab["country"], fab["latitude"], fab["longitude"]) == ("Berlin", "DE", "52.524", "13.411")
    assert [mark["slug"] for mark in fab["marks"]] == ["d3d-printer"]  # not the revoked press nor the expired tractor
    assert "contact_email" not in fab and "contact_phone" not in fab
    response = get(client, f"{V1}storefronts/closed-fab/")
    assert response.status_code == 404


def test_certificates_say_their_state_and_holders_as_the_public_page_does(client, open_data):
    by_id = {c["public_id"]: c for c in every_page(client, f"{V1}certificates/")}

    assert by_id[open_data["valid"].public_id]["state"] == "valid"
    assert by_id[open_data["revoked"].public_id]["state"] == "revoked"
    assert by_id[open_data["revoked"].public_id]["revoked_reason"] == "Fake test results."
    assert by_id[open_data["expired"].public_id]["state"] == "expired"
    holders = by_id[open_data["valid"].public_id]["holders"]
    assert [h["name"] for h in holders] == ["Apartment Fab", "Ada L"]
    revoked = [c["public_id"] for c in get(client, f"{V1}certificates/", state="revoked").json()["results"]]
    assert revoked == [open_data["revoked"].public_id]
    one = get(client, f"{V1}certificates/{open_data['valid'].public_id.lower()}/").json()  # any letter case
    assert one["verification_url"] == f"http://testserver/certified/{open_data['valid'].public_id}/"


def test_the_campus_fund_months_match_the_ledger(client, open_data):
    months = get(client, f"{V1}campus-fund/months/").json()["results"]

    assert months[0]["month"] == f"{timezone.localdate():%Y-%m}"
    assert months[0]["money_out"] == {"amount": "25.00", "currency": "USD"}
    money_in = sum(float(m["money_in"]["amount"]) for m in months)
    assert months[0]["balance"]["amount"] == f"{money_in - 25:.2f}"
    assert get(client, f"{V1}campus-fund/months/", fund="marketing_pool").status_code == 200
    assert get(client, f"{V1}campus-fund/months/", fund="operator").status_code == 400


def test_no_answer_holds_an_email_address(client, open_data):
    for path in ["designs/", "products/", "storefronts/", "certificates/", "campus-fund/months/",
                 "storefronts/apartment-fab/", f"certificates/{open_data['valid'].public_id}/"]:  # fmt: skip
        text = get(client, V1 + path).content.decode()
        assert not EMAIL.search(text), (path, EMAIL.search(text))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("designs/?min_score=abc", 400),
        ("designs/?min_score=101", 400),
        ("designs/?level=-1", 400),
        ("designs/?level=9", 400),
        ("designs/?certified=maybe", 400),
        ("designs/?ordering=password", 400),
        ("designs/?page=0", 400),
        ("designs/?page=-1", 400),
        ("designs/?page=abc", 400),
        ("designs/?page=1.5", 400),
        ("designs/?page_size=1000000000", 400),
        ("designs/?page=1000000000", 404),
        ("designs/?page=21199340708729656404057522176", 404),  # schemathesis' find: a whole number, past the last
        ("designs/?page=000", 400),
        ("designs/no-such-design/", 404),
        ("products/abc/", 404),
        ("products/-1/", 404),
        ("products/99999999999999999999999/", 404),
        ("certificates/OSE-0000-000000/", 404),
        ("no-such-endpoint/", 404),
    ],
)
def test_bad_questions_are_answered_in_json_never_a_500(client, open_data, path, status):
    response = get(client, V1 + path)
    assert response.status_code == status
    assert json.loads(response.content)  # says what was wrong


@pytest.mark.parametrize("debug", [False, True])  # True: the demo (`make run`), where a stranger found HTML
def test_a_nul_character_in_an_api_path_is_a_json_404(client, db, settings, debug):
    settings.DEBUG = debug
    for path in ("/api/v1/designs/%00/", "/api/v1/products/%00/", "/api/v1/campus-fund/months/%00/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json", path
    page = client.get("/designs/%00/")  # elsewhere, the shop's own 404 page, never Django's debug page
    assert page.status_code == 404 and "URLconf" not in page.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused_with_405(client, open_data, method):
    for path in ["designs/", "designs/d3d-printer/", "certificates/", "campus-fund/months/"]:
        response = getattr(client, method)(V1 + path, {}, content_type="application/json")
        assert response.status_code == 405, path
        assert "detail" in response.json()


def test_a_client_past_the_rate_gets_a_json_429_and_another_client_does_not(client, settings, db):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    for _ in range(3):
        assert client.get(f"{V1}designs/").status_code == 200

    refused = client.get(f"{V1}designs/")

    assert refused.status_code == 429
    assert "throttled" in refused.json()["detail"]
    assert client.get(f"{V1}designs/", REMOTE_ADDR="10.0.0.9").status_code == 200
    forged = client.get(f"{V1}designs/", HTTP_X_FORWARDED_FOR="10.0.0.10")  # not behind our proxy: not believed
    assert forged.status_code == 429


def _v1_routes(resolver=None, prefix="") -> list[str]:
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _v1_routes(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            found.append(route)
    return found


def test_the_schema_lists_every_endpoint_under_v1(client, db):
    schema = client.get("/api/schema/?format=json").json()
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in schema["paths"]}
    routes = set()
    for route in _v1_routes():
        if "format" in route or route == "api/v1/":  # DefaultRouter's .json suffixes and its root
            continue
        path = "/" + re.sub(r"\(\?P<[^>]+>[^)]+\)|<[^>]+>", "{}", route).replace("^", "").replace("$", "")
        routes.add(path)
    assert routes, "no route found under /api/v1/"
    assert routes <= documented, routes - documented
