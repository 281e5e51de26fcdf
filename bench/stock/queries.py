"""SQL queries per page of the stock Oscar shop, counted in-process through Django's test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_stock .venv/bin/python -m bench.stock.queries

Each page is counted for a visitor without cookies (what a load generator sends) after one warm-up request. The
checkout is counted by running ``journey.checkout_once`` through the test client: it places a real order.
"""

import os
from types import SimpleNamespace
from urllib.parse import urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stock.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402

from bench.stock import journey  # noqa: E402

HOST = "127.0.0.1"


def _client() -> Client:
    return Client(SERVER_NAME=HOST)


def queries_per_page(paths) -> dict[str, int]:
    """Queries each GET of ``paths`` runs for a visitor without cookies (after one warm-up request); redirects are
    not followed."""
    counts = {}
    for path in paths:
        _client().get(path)
        with CaptureQueriesContext(connection) as queries:
            response = _client().get(path)
        if response.status_code >= 400:
            raise journey.JourneyError(f"{path}: HTTP {response.status_code}")
        counts[path] = len(queries)
    return counts


class ClientSession:
    """The part of ``requests.Session`` the journey uses, over the test client: follows redirects, counts queries."""

    def __init__(self):
        self.client = _client()
        self.steps: list[tuple[str, int, int]] = []  # (request, HTTP requests, queries)

    @property
    def cookies(self) -> dict[str, str]:
        return {name: morsel.value for name, morsel in self.client.cookies.items()}

    def get(self, url: str):
        return self._send("get", url)

    def post(self, url: str, data=None):
        return self._send("post", url, data)

    def _send(self, method: str, url: str, data=None):
        parts = urlsplit(url)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        with CaptureQueriesContext(connection) as queries:
            response = getattr(self.client, method)(path, data, follow=True)
        self.steps.append((f"{method.upper()} {path}", len(response.redirect_chain) + 1, len(queries)))
        return SimpleNamespace(
            status_code=response.status_code,
            text=response.content.decode(),
            url=f"http://{HOST}{response.request['PATH_INFO']}",
            history=response.redirect_chain,
        )


def checkout_queries(product_path: str | None = None) -> ClientSession:
    """Run one guest checkout in-process; the returned session's ``steps`` hold requests and queries per step."""
    session = ClientSession()
    path = product_path or journey.product_paths(f"http://{HOST}", session=ClientSession())[0]
    journey.checkout_once(f"http://{HOST}", path, session=session)
    return session


def default_paths() -> list[str]:
    Category = get_model("catalogue", "Category")
    Product = get_model("catalogue", "Product")
    category = Category.objects.filter(depth=1).order_by("path").first()
    product = Product.objects.filter(upc__endswith="-L1").order_by("pk").first()
    return ["/", "/catalogue/", category.get_absolute_url(), product.get_absolute_url(), "/search/?q=solar"]


def main() -> None:
    for path, count in queries_per_page(default_paths()).items():
        print(f"{count:5d} queries  GET {path}")
    session = checkout_queries()
    for request, made, count in session.steps:
        print(f"{count:5d} queries  {request} ({made} HTTP request{'s' if made > 1 else ''})")
    made, total = sum(step[1] for step in session.steps), sum(step[2] for step in session.steps)
    print(f"{total:5d} queries  guest checkout, {made} HTTP requests")


if __name__ == "__main__":
    main()
