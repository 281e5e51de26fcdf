"""Guest shoppers for the load run: they browse, add offers to their basket and check out paying by bank transfer.

Run it through ``python -m bench.load.run`` (which prepares the shop, the targets file and the servers); by hand:

    LOAD_TARGETS=var/bench/load/targets.json locust -f bench/load/locustfile.py --headless -u 10 -r 5 -t 1m \
        --host http://127.0.0.1:8201

Every request is checked: a status other than the one a browser expects at that step is a failure (so is a 5xx,
a timeout or a refused connection). A "sold out" answer is a correct outcome, not a failure: the add-to-basket
page or the checkout says the stock is gone, and the shopper gives up that basket. Such outcomes, and the order
numbers the thank-you pages showed, are counted here and written to ``LOAD_OUTCOMES`` (JSON) when the run stops,
so the orchestrator can compare them with the database.
"""

import json
import os
import random
import re
import threading
import uuid
from collections import Counter
from urllib.parse import urljoin, urlsplit

from locust import HttpUser, between, events, task

TARGETS_PATH = os.environ.get("LOAD_TARGETS", "var/bench/load/targets.json")
OUTCOMES_PATH = os.environ.get("LOAD_OUTCOMES", "var/bench/load/outcomes.json")
THINK_MIN = float(os.environ.get("LOAD_THINK_MIN", "1"))
THINK_MAX = float(os.environ.get("LOAD_THINK_MAX", "5"))
HOT_SHARE = float(os.environ.get("LOAD_HOT_SHARE", "0.5"))  # adds that go for the low-stock offers
MAX_LINES = 3

ADDRESS = {
    "first_name": "Ada",
    "last_name": "Loadtest",
    "line1": "1 Workshop Lane",
    "line4": "Maysville",
    "postcode": "64469",
    "country": "US",
    "phone_number": "",
}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ADD_FORM = re.compile(r'<form[^>]*action="(/basket/add/\d+/)"[^>]*>(.*?)</form>', re.S)
OFFER = re.compile(r'name="offer" value="(\d+)"')
ALERT = re.compile(r'<div class="alert[^"]*alert-(success|info|warning|danger|error)[^"]*"[^>]*>(.*?)</div>', re.S)
ORDER_NUMBER = re.compile(r"Order (\d+): confirmation")
# What the shop says when stock is gone (Oscar's availability and checkout messages, our allocation guard).
SOLD_OUT = re.compile(
    r"sold out|no stock available|a maximum of \d+ can be bought|only \d+ of|no longer available|unavailable",
    re.I,
)

SHIPPING_ADDRESS, PAYMENT_DETAILS = "/checkout/shipping-address/", "/checkout/payment-details/"
CHECKOUT_STEPS = (
    SHIPPING_ADDRESS,
    "/checkout/shipping-method/",
    "/checkout/payment-method/",
    PAYMENT_DETAILS,
    "/checkout/preview/",
)

_lock = threading.Lock()
outcomes: Counter = Counter()
order_numbers: list[str] = []
# Checkouts whose "place order" got no answer from the shop (a web node killed meanwhile; the proxy answers 502):
# the order may or may not exist, and the shopper was shown an error.
unanswered_checkouts: list[str] = []


def _load_targets() -> dict:
    with open(TARGETS_PATH) as handle:
        return json.load(handle)


TARGETS = _load_targets()


def count(outcome: str, number: str | None = None) -> None:
    with _lock:
        outcomes[outcome] += 1
        if number:
            order_numbers.append(number)


def _entry(entry) -> dict:
    return {
        "name": entry.name,
        "method": entry.method or "",
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(entry.total_rps, 2),
        "median": entry.get_response_time_percentile(0.5),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "max": round(entry.max_response_time or 0),
    }


@events.test_stop.add_listener
def _write_outcomes(environment, **_kwargs) -> None:
    """After the last user stopped (locust's CSV can miss the requests of the stop timeout): outcomes, the order
    numbers seen, and every request type's statistics."""
    stats = environment.stats
    with _lock:
        data = {
            "outcomes": dict(outcomes),
            "order_numbers": sorted(order_numbers),
            "unanswered_checkouts": sorted(unanswered_checkouts),
            "stats": [_entry(entry) for _key, entry in sorted(stats.entries.items())],
            "total": _entry(stats.total),
        }
    directory = os.path.dirname(OUTCOMES_PATH)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(OUTCOMES_PATH, "w") as handle:
        json.dump(data, handle, indent=1)


def _alerts(html: str) -> list[tuple[str, str]]:
    return [(kind, re.sub(r"<[^>]+>|\s+", " ", text).strip()) for kind, text in ALERT.findall(html)]


def _path(response) -> str:
    return urlsplit(urljoin(response.url, response.headers.get("Location", ""))).path


class Shopper(HttpUser):
    """A guest: browses most of the time, sometimes adds an offer, and checks out a basket of one to three lines."""

    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        self.lines = 0
        self.page("/", "home", expect=(200, 302))  # the front door (Oscar's sends browsers to the catalogue)
        self.page("/catalogue/", "catalogue")

    # --- requests ---------------------------------------------------------------------------------------------

    def request(self, method: str, path: str, name: str, *, expect=(200,), goes_to=(), data=None, referer=None):
        """One request, redirects not followed. A failure unless its status is in ``expect`` and, for a redirect,
        its target path is in ``goes_to`` (``/basket/`` is always allowed: a checkout step sends the shopper back
        there when stock went). Returns the response, or None after a failure."""
        headers = {"Referer": urljoin(self.host, referer or path)} if method == "POST" else None
        with self.client.request(
            method, path, name=name, data=data, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            status = response.status_code
            if status not in expect:
                response.failure(f"{method} {path}: {status}, expected {expect}")
                return None
            if status in (301, 302) and goes_to and _path(response) not in (*goes_to, "/basket/"):
                response.failure(f"{method} {path}: redirected to {_path(response)}, expected {goes_to}")
                return None
            response.success()
            return response

    def page(self, path: str, name: str, *, expect=(200,), goes_to=()):
        return self.request("GET", path, name, expect=expect, goes_to=goes_to)

    def post(self, path: str, name: str, data: dict, *, expect=(302,), goes_to=(), referer: str | None = None):
        return self.request("POST", path, name, expect=expect, goes_to=goes_to, data=data, referer=referer)

    def token(self, html: str) -> str:
        match = CSRF.search(html)
        return match.group(1) if match else self.client.cookies.get("csrftoken", "")

    def give_up_basket(self) -> None:
        """The shopper leaves: a new guest (new session, new basket) takes the user's place."""
        self.client.cookies.clear()
        self.lines = 0

    # --- browsing ---------------------------------------------------------------------------------------------

    @task(4)
    def catalogue(self):
        pages = TARGETS["catalogue_pages"]
        page = 1 if random.random() < 0.6 else random.randint(2, max(2, pages))
        self.page(f"/catalogue/?page={page}" if page > 1 else "/catalogue/", "catalogue")

    @task(3)
    def category(self):
        self.page(random.choice(TARGETS["categories"]), "category")

    @task(2)
    def designs(self):
        pages = TARGETS["design_pages"]
        page = 1 if random.random() < 0.6 else random.randint(2, max(2, pages))
        self.page(f"/designs/?page={page}" if page > 1 else "/designs/", "designs")

    @task(5)
    def design(self):
        self.page(f"/designs/{random.choice(TARGETS['designs'])}/", "design")

    @task(5)
    def product(self):
        self.page(random.choice(TARGETS["products"]), "product")

    @task(2)
    def store(self):
        if random.random() < 0.3:
            self.page("/stores/", "stores")
        else:
            self.page(f"/stores/{random.choice(TARGETS['stores'])}/", "store")

    @task(2)
    def search(self):
        self.page(f"/search/?q={random.choice(TARGETS['search_terms'])}", "search")

    @task(1)
    def basket(self):
        self.page("/basket/", "basket")

    # --- buying -----------------------------------------------------------------------------------------------

    @task(6)
    def add_to_basket(self):
        if self.lines >= MAX_LINES:
            return self.check_out()
        hot = random.random() < HOT_SHARE
        path = random.choice(TARGETS["hot_products"] if hot else TARGETS["products"])
        response = self.page(path, "product")
        if response is None:
            return
        offers = [
            (action, OFFER.search(body).group(1))
            for action, body in ADD_FORM.findall(response.text)
            if "disabled" not in body and OFFER.search(body)
        ]
        if not offers:
            count("sold out on the product page")
            return
        action, offer = random.choice(offers)
        added = self.post(
            action, "basket:add", {"csrfmiddlewaretoken": self.token(response.text), "quantity": "1", "offer": offer},
            referer=path,
        )  # fmt: skip
        if added is None:
            return
        with self.client.get(
            _path(added), name="product (after add)", allow_redirects=False, catch_response=True
        ) as landing:
            alerts = _alerts(landing.text) if landing.status_code == 200 else []
            if landing.status_code != 200:
                landing.failure(f"after add: {landing.status_code}")
            elif any(kind == "success" and "has been added" in text for kind, text in alerts):
                landing.success()
                self.lines += 1
                count("added to basket")
            elif any(SOLD_OUT.search(text) for kind, text in alerts if kind in ("warning", "danger", "error")):
                landing.success()
                count("sold out when adding")
            else:
                landing.failure(f"add to basket answered neither added nor sold out: {alerts}")

    @task(4)
    def check_out(self):
        if not self.lines:
            return self.design()
        try:
            self._check_out()
        except _Stop:
            self.give_up_basket()

    def _check_out(self) -> None:
        email = f"load-{uuid.uuid4().hex[:16]}@example.com"
        self.step(self.page("/basket/", "basket"))
        gateway = self.step(self.page("/checkout/", "checkout:index", expect=(200, 302), goes_to=("/basket/",)))
        step = self.step(self.post(
            "/checkout/", "checkout:guest", goes_to=CHECKOUT_STEPS,
            data={"csrfmiddlewaretoken": self.token(gateway.text), "username": email, "options": "anonymous"},
        ))  # fmt: skip
        path, page = self.walk(_path(step), stop_at=(SHIPPING_ADDRESS, PAYMENT_DETAILS))
        if path == SHIPPING_ADDRESS:  # a basket with nothing to ship (seats, licences, downloads) skips it
            step = self.step(self.post(
                SHIPPING_ADDRESS, "checkout:shipping-address (post)", goes_to=CHECKOUT_STEPS,
                data={"csrfmiddlewaretoken": self.token(page.text), **ADDRESS},
            ))  # fmt: skip
            path, page = self.walk(_path(step), stop_at=(PAYMENT_DETAILS,))
        preview = self.step(self.post(
            "/checkout/preview/", "checkout:preview", expect=(200, 302), goes_to=("/basket/",),
            data={"csrfmiddlewaretoken": self.token(page.text), "payment_method": "bank-transfer"},
        ))  # fmt: skip
        self.place_order(preview, email)

    def walk(self, path: str, stop_at: tuple[str, ...]):
        """Follow the checkout's redirects from ``path`` (steps with nothing to ask pass the shopper on) to the
        first of ``stop_at`` that answers with a page. Returns that path and page."""
        for _hop in range(len(CHECKOUT_STEPS)):
            name = "checkout:" + path.strip("/").split("/")[-1]
            expect = (200, 302) if path in stop_at else (302,)
            response = self.step(self.page(path, name, expect=expect, goes_to=CHECKOUT_STEPS))
            if response.status_code == 200:
                return path, response
            path = _path(response)
        raise _Stop

    def step(self, response):
        """Go on with the checkout, or stop it: after a failure, or when the shop sent the shopper back to the
        basket (stock went: a correct answer when the basket says so)."""
        if response is None:
            raise _Stop
        if response.status_code == 302 and _path(response) == "/basket/":
            self.follow_to_basket()
            raise _Stop
        return response

    def place_order(self, preview, email: str) -> None:
        headers = {"Referer": urljoin(self.host, "/checkout/preview/")}
        with self.client.post(
            "/checkout/preview/", name="checkout:place-order", headers=headers, allow_redirects=False,
            data={"csrfmiddlewaretoken": self.token(preview.text), "action": "place_order"}, catch_response=True,
        ) as placed:  # fmt: skip
            alerts = _alerts(placed.text) if placed.status_code == 200 else []
            if placed.status_code == 302 and _path(placed) == "/checkout/thank-you/":
                placed.success()
            elif placed.status_code == 302 and _path(placed) == "/basket/":
                placed.success()
                self.follow_to_basket()
                raise _Stop
            elif placed.status_code == 200 and any(
                SOLD_OUT.search(text) for kind, text in alerts if kind in ("warning", "danger", "error")
            ):
                placed.success()  # the race for the last units was lost: a correct answer (the basket is kept)
                count("sold out when placing the order")
                raise _Stop
            else:
                if placed.status_code in (0, 502, 503, 504):
                    with _lock:
                        unanswered_checkouts.append(email)
                placed.failure(f"place order: {placed.status_code} {_path(placed)} {alerts}")
                raise _Stop
        with self.client.get(
            "/checkout/thank-you/", name="checkout:thank-you", allow_redirects=False, catch_response=True
        ) as thanks:
            number = ORDER_NUMBER.search(thanks.text) if thanks.status_code == 200 else None
            if number is None:
                thanks.failure(f"thank-you page: {thanks.status_code}, no order number")
            else:
                thanks.success()
                count("orders placed", number.group(1))
        self.lines = 0

    def follow_to_basket(self) -> None:
        with self.client.get("/basket/", name="basket (checkout refused)", allow_redirects=False,
                             catch_response=True) as basket:  # fmt: skip
            alerts = _alerts(basket.text) if basket.status_code == 200 else []
            if basket.status_code == 200 and any(SOLD_OUT.search(text) for _kind, text in alerts):
                basket.success()
                count("sold out during checkout")
            else:
                basket.failure(f"checkout sent the shopper back to the basket without a stock message: {alerts}")


class _Stop(Exception):
    """The checkout ends here (the shopper gives up the basket)."""
