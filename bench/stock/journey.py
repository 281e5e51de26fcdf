"""A guest's checkout in the stock Oscar shop, over HTTP, as a browser does it (following every redirect).

    from bench.stock.journey import checkout_once
    requests_made = checkout_once("http://127.0.0.1:8101")

Product page → add to basket (→ basket) → checkout → guest email (→ shipping address) → address (→ shipping method
→ payment method → payment details) → preview → place order (→ thank-you): 13 HTTP requests for a physical product
with Oscar's defaults (one free shipping method, no payment provider; the payment details page only says "Continue").
Needs only ``requests``; no Django in the calling process.
"""

import random
import re
import threading
from urllib.parse import urljoin

import requests

PRODUCT_LINK = re.compile(r'href="(/catalogue/[\w-]+-l1_\d+/)"')  # level 1: physical, so the full shipping path
ADD_FORM = re.compile(r'id="add_to_basket_form"[^>]*action="([^"]+)"|action="([^"]+)"[^>]*id="add_to_basket_form"')
ADDRESS = {"first_name": "Ada", "last_name": "Maker", "line1": "1 Workshop Lane", "line4": "Maysville",
           "postcode": "64469", "country": "US"}  # fmt: skip
_products: dict[str, list[str]] = {}
_lock = threading.Lock()


class JourneyError(Exception):
    pass


def product_paths(base_url: str, *, pages: int = 5, session=None) -> list[str]:
    """Paths of level-1 products listed on the first catalogue pages; read once per shop, then cached."""
    with _lock:
        if base_url not in _products:
            session = session or requests.Session()
            paths = []
            for page in range(1, pages + 1):
                response = session.get(urljoin(base_url, f"/catalogue/?page={page}"))
                paths += PRODUCT_LINK.findall(response.text)
            if not paths:
                raise JourneyError(f"No level-1 products listed on {base_url}/catalogue/: is the index built?")
            _products[base_url] = sorted(set(paths))
        return _products[base_url]


def _step(name: str, response, counter: list[int], expect: str | None = None):
    counter[0] += len(response.history) + 1
    if response.status_code != 200 or (expect and expect not in response.url):
        raise JourneyError(f"{name}: HTTP {response.status_code} at {response.url} (expected {expect or 'a page'})")
    return response


def checkout_once(
    base_url: str,
    product_path: str | None = None,
    *,
    product_id: int | None = None,
    session=None,
    email: str | None = None,
) -> int:
    """One guest buys one product (by default a level-1 one from the catalogue's first pages); returns the number of
    HTTP requests it took. Raises JourneyError. ``product_id`` (of ``product_path``) skips reading the basket form's
    address from the product page."""
    session = session or requests.Session()
    path = product_path or random.choice(product_paths(base_url))
    made = [0]

    def url(path: str) -> str:
        return urljoin(base_url, path)

    def token() -> dict:
        return {"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}

    page = _step("product page", session.get(url(path)), made)
    if product_id is not None:
        add = f"/basket/add/{product_id}/"
    elif form := ADD_FORM.search(page.text):
        add = form[1] or form[2]
    else:
        raise JourneyError(f"{path} offers no add-to-basket form (out of stock?)")
    _step("add to basket", session.post(url(add), data={**token(), "quantity": 1}), made, "/basket/")
    _step("checkout", session.get(url("/checkout/")), made, "/checkout/")
    guest = {**token(), "username": email or f"guest{random.randrange(10**9)}@example.com", "options": "anonymous"}
    after = _step("guest email", session.post(url("/checkout/"), data=guest), made, "/checkout/")
    if after.url.endswith("/checkout/shipping-address/"):  # Oscar skips it for goods that need no shipping
        address = session.post(url("/checkout/shipping-address/"), data={**token(), **ADDRESS})
        _step("shipping address", address, made, "/checkout/payment-details/")
    _step("preview", session.get(url("/checkout/preview/")), made, "/checkout/preview/")
    placed = session.post(url("/checkout/preview/"), data={**token(), "action": "place_order"})
    _step("place order", placed, made, "/checkout/thank-you/")
    return made[0]
