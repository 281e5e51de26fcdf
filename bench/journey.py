"""A guest's whole checkout in our shop over HTTP (bank transfer, one line), as a browser would post it.

``Browser`` is a ``requests`` session that sends Django's CSRF token with every form, so the same journey runs
against a served shop (the benchmark) and counts its HTTP requests.
"""

import requests

ADDRESS = {
    "first_name": "Ada",
    "last_name": "Maker",
    "line1": "1 Workshop Lane",
    "line4": "Maysville",
    "postcode": "64469",
    "country": "US",
    "phone_number": "",
}


class Browser:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.requests = 0

    def _token(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def get(self, path: str) -> requests.Response:
        self.requests += 1
        response = self.session.get(self.base + path, allow_redirects=False, timeout=30)
        return self._follow(response)

    def post(self, path: str, data: dict) -> requests.Response:
        self.requests += 1
        data = {**data, "csrfmiddlewaretoken": self._token()}
        response = self.session.post(self.base + path, data=data, allow_redirects=False, timeout=30)
        return self._follow(response)

    def _follow(self, response: requests.Response) -> requests.Response:
        while response.is_redirect:
            self.requests += 1
            response = self.session.get(self.base + response.headers["Location"].replace(self.base, ""), timeout=30,
                                        allow_redirects=False)  # fmt: skip
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code}")
        return response


class InProcessBrowser:
    """The same journey through Django's test client, inside the shop's process: for counting SQL queries."""

    def __init__(self):
        from django.test import Client

        self.client = Client()
        self.requests = 0

    def get(self, path: str):
        return self._follow(self.client.get(path))

    def post(self, path: str, data: dict):
        return self._follow(self.client.post(path, data))

    def _follow(self, response):
        self.requests += 1
        while response.status_code in (301, 302, 303):
            self.requests += 1
            response = self.client.get(response["Location"])
        if response.status_code >= 400:
            raise RuntimeError(f"{response.request['PATH_INFO']}: {response.status_code}")
        response.url = response.request["PATH_INFO"]
        return response


def checkout_once(base_url: str, **kwargs) -> int:
    """Place one guest order over HTTP; returns the HTTP requests it took (redirects count)."""
    return checkout(Browser(base_url), **kwargs)


def checkout(browser, *, product_path: str, product_id: int, offer_id: int, via_basket: bool = False) -> int:
    """One guest order for one unit of ``offer_id``, as a guest clicks through it: the product page, "Add and check
    out" (the offer goes into the basket, and on to the one-page guest checkout), its submission (to the thank-you
    page). ``via_basket``: "Add for ..." instead (to the basket page), then "Check out as a guest"."""
    browser.get(product_path)
    if via_basket:
        browser.post(f"/basket/add/{product_id}/", {"quantity": 1, "offer": offer_id})
        browser.get("/checkout/guest/")
    else:
        browser.post(f"/basket/add/{product_id}/", {"quantity": 1, "offer": offer_id, "next": "/checkout/guest/"})
    done = browser.post(
        "/checkout/guest/", {**ADDRESS, "email": "bench@example.com", "payment_method": "bank-transfer"}
    )
    if "/checkout/thank-you/" not in done.url:
        raise RuntimeError(f"The order was not placed: ended at {done.url}")
    return browser.requests
