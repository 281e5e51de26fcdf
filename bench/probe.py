"""Run inside one shop's Django settings: pick the pages to measure and count their SQL queries.

``python -m bench.probe`` prints JSON: each page's path and its queries (rendered, not from the page cache), and for
our shop the queries and HTTP requests of one guest checkout. Stock Oscar's settings module is probed the same way
(it has no designs or storefronts). It also makes the signed-in shopper of the signed-in rows (``SHOPPER``: an
account with the same two products in its basket in both shops) and counts their pages' queries as served.
"""

import json
import os
import sys

import django
import django.apps

SHOPPER = {"username": "bench-shopper", "email": "bench-shopper@example.com", "password": "bench-Shopper-pass-7"}


def _products():
    from django.apps import apps

    Product = apps.get_model("catalogue", "Product")
    products = Product.objects.browsable().filter(stockrecords__isnull=False, categories__isnull=False)
    if apps.is_installed("catalog"):
        products = products.filter(level=1, stockrecords__partner__storefront__status="active")
    return products.order_by("pk").distinct()


def _first_product():
    return _products().first()


def signed_in_shopper() -> dict:
    """The signed-in rows' shopper: an account (made once) whose basket holds exactly the first two products, one
    each, as added through the shop's own add-to-basket form."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    User = get_user_model()
    user = User.objects.filter(email=SHOPPER["email"]).first()
    if user is None:
        user = User.objects.create_user(SHOPPER["username"], SHOPPER["email"], SHOPPER["password"])
    apps.get_model("basket", "Basket").objects.filter(owner=user).delete()
    client = Client()
    client.force_login(user)
    with override_settings(PAGE_CACHE_SECONDS=0):
        for product in _products()[:2]:
            data = {"quantity": 1}
            if apps.is_installed("catalog"):
                data["offer"] = product.stockrecords.order_by("pk").first().pk
            assert client.post(f"/basket/add/{product.pk}/", data).status_code == 302
    return SHOPPER


def count_signed_in_queries(paths: dict[str, str]) -> dict[str, int]:
    """The signed-in shopper's queries per page as served (our page cache on), once the page and the shopper's
    recently-viewed cookie have settled."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client()
    client.force_login(get_user_model().objects.get(email=SHOPPER["email"]))
    counts = {}
    with override_settings(PAGE_CACHE_SECONDS=300):
        for name, path in paths.items():
            client.get(path), client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code in (200, 302), (path, response.status_code)  # stock's home redirects
            counts[name] = len(queries)
    return counts


def pages() -> dict[str, str]:
    from django.apps import apps

    product = _first_product()
    found = {
        "home": "/",
        "catalogue": "/catalogue/",
        "category": product.categories.order_by("pk").first().get_absolute_url(),
        "product": product.get_absolute_url(),
        "search": "/search/?q=solar+kiln",
    }
    if apps.is_installed("catalog"):
        found["design"] = product.design.get_absolute_url()
        offer = product.stockrecords.filter(partner__storefront__isnull=False).select_related("partner__storefront")
        found["storefront"] = offer.first().partner.storefront.get_absolute_url()
    return found


def add_to_basket_form() -> dict:
    from django.apps import apps

    product = _first_product()
    offer = product.stockrecords.order_by("pk").first()
    data = {"quantity": 1}
    if apps.is_installed("catalog"):
        data["offer"] = offer.pk
    return {"path": f"/basket/add/{product.pk}/", "data": data, "product_id": product.pk, "offer_id": offer.pk}


def count_queries(paths: dict[str, str]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    counts = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for name, path in paths.items():
            client = Client()
            client.get(path)  # warm: thumbnails, content types, the site
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code in (200, 302), (path, response.status_code)
            counts[name] = len(queries)
    return counts


def count_checkout(basket: dict, product_path: str, *, via_basket: bool = False) -> dict:
    """One guest checkout as the benchmark serves it: the page cache on (as deployed), after one checkout to warm it,
    as the measured checkouts are warmed (so the product page a guest opens first comes from the cache). A cold
    start costs a few queries more: ``tests/checkout/test_guest_checkout.py`` holds that one to 60."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.journey import InProcessBrowser, checkout

    def once():
        return checkout(InProcessBrowser(), product_path=product_path, product_id=basket["product_id"],
                        offer_id=basket["offer_id"], via_basket=via_basket)  # fmt: skip

    with override_settings(PAGE_CACHE_SECONDS=300):
        once()  # warm, as the measured checkouts are: the product page stored, the cached lookups filled
        with CaptureQueriesContext(connection) as queries:
            requests = once()
    return {"queries": len(queries), "requests": requests}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's ALLOWED_HOSTS entry
    found = pages()
    basket = add_to_basket_form()
    result = {"pages": found, "queries": count_queries(found), "basket": basket, "shopper": signed_in_shopper()}
    result["signed-in queries"] = count_signed_in_queries(found)
    if django.apps.apps.is_installed("catalog"):
        result["checkout"] = count_checkout(basket, found["product"])
        result["checkout via basket"] = count_checkout(basket, found["product"], via_basket=True)
    else:  # stock Oscar's own checkout steps (bench/stock/journey.py)
        from bench.stock.queries import checkout_queries

        checkout_queries(found["product"])  # warm, as ours is
        steps = checkout_queries(found["product"]).steps
        result["checkout"] = {"queries": sum(step[2] for step in steps), "requests": sum(step[1] for step in steps)}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
