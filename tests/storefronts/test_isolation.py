"""An operator can never read or change another operator's storefront, offers, orders or customers: every
dashboard URL, listed from the URL resolver (so new pages are covered), answers 403 or 404 to operator A asked
for operator B's objects."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from oscar.core.loading import get_model

from tests import factories
from tests.storefronts.test_multi_operator_orders import _order_with_three_operators
from tiers.models import Tier
from tiers.services import apply_for_tier

pytestmark = pytest.mark.django_db
StockAlert = get_model("partner", "StockAlert")


def dashboard_routes():
    """(url name, kwarg names) of every URL under /dashboard/, walking the resolver tree."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name and route.lstrip("^").startswith("dashboard/"):
                yield ":".join(filter(None, [namespace, pattern.name])), list(pattern.pattern.regex.groupindex)

    return sorted({(name, tuple(kwargs)) for name, kwargs in walk(get_resolver().url_patterns, "", "")})


@pytest.fixture
def two_operators():
    printer = factories.level_product(factories.design(name="D3D printer"), 1)
    printer.stockrecords.all().delete()
    a = factories.storefront("Operator A", tier="microfactory-1", city="Berlin")
    b = factories.storefront("Operator B", tier="microfactory-1", city="Lyon")
    b_product = factories.level_product(factories.design(name="CNC mill", category_name="CNC circuit mills"), 1)
    b_product.stockrecords.all().delete()
    offers = {"a": factories.offer(a, printer), "b": factories.offer(b, b_product)}
    order = _order_with_three_operators(([a, b], {"b": offers["b"]}))
    application = apply_for_tier(storefront=b, tier=Tier.objects.get(code="background-2"))  # needs no training
    alert = StockAlert.objects.create(stockrecord=offers["b"], threshold=1)
    b_line = order.lines.get(partner=b.partner)
    return a, {
        "product": b_product.pk, "stockrecord": offers["b"].pk, "order": order.pk, "number": order.number,
        "line": b_line.pk, "partner": b.partner_id, "user": b.operator_id, "storefront": b.pk,
        "tierapplication": application.pk, "alert": alert.pk, "design": b_product.design_id,
    }  # fmt: skip


# Which of B's objects a URL's "pk" means, by words in the URL's name (first match wins).
PK_BY_NAME = [
    ("tier", "tierapplication"), ("storefront", "storefront"), ("stock-alert", "alert"), ("design", "design"),
    ("product", "product"), ("order", "order"), ("partner", "partner"), ("user", "user"), ("line", "line"),
]  # fmt: skip
SLUGS = {"product_class_slug": "level-1-physical", "action": "approve", "slug": "operator-b", "code": "x"}


def _kwargs(name, kwarg_names, ids):
    kwargs = {}
    for kwarg in kwarg_names:
        if kwarg == "pk":
            key = next((obj for word, obj in PK_BY_NAME if word in name), "product")
            kwargs[kwarg] = ids[key]
        elif kwarg in ("number",):
            kwargs[kwarg] = ids["number"]
        elif kwarg in ("line_id",):
            kwargs[kwarg] = ids["line"]
        elif kwarg in ("partner_pk",):
            kwargs[kwarg] = ids["partner"]
        elif kwarg in ("user_pk",):
            kwargs[kwarg] = ids["user"]
        elif kwarg in ("parent_pk", "product_pk"):
            kwargs[kwarg] = ids["product"]
        elif kwarg in SLUGS:
            kwargs[kwarg] = SLUGS[kwarg]
        else:
            kwargs[kwarg] = ids["product"]
    return kwargs


def test_every_dashboard_url_refuses_another_operators_objects(client, two_operators):
    operator_a, ids = two_operators
    client.force_login(operator_a.operator)
    routes = [(name, kwargs) for name, kwargs in dashboard_routes() if set(kwargs) - set(SLUGS)]
    assert len(routes) > 40  # Oscar's dashboard and ours, found from the resolver

    leaks = []
    for name, kwarg_names in routes:
        url = reverse(name, kwargs=_kwargs(name, kwarg_names, ids))
        got = client.get(url).status_code
        posted = client.post(url, {}).status_code
        if got not in (403, 404, 405) or posted not in (403, 404, 405):
            leaks.append(f"{name} {url}: GET {got}, POST {posted}")
    assert leaks == []


def test_the_operator_still_reaches_its_own_pages(client, two_operators):
    operator_a, _ = two_operators
    client.force_login(operator_a.operator)
    assert client.get(reverse("storefronts:dashboard")).status_code == 200
    own_product = operator_a.partner.stockrecords.get().product
    assert client.get(reverse("dashboard:catalogue-product", kwargs={"pk": own_product.pk})).status_code == 200
    assert "Operator B" not in client.get(reverse("dashboard:order-list")).content.decode()


def test_in_a_shared_order_another_operators_line_is_hidden_and_untouchable(client, two_operators):
    operator_a, ids = two_operators
    from marketplace.storefronts.models import Storefront

    b = Storefront.objects.get(pk=ids["storefront"])
    a_offer, b_offer = operator_a.partner.stockrecords.get(), b.partner.stockrecords.get()
    shared = _order_with_three_operators(([operator_a, b], {"a": a_offer, "b": b_offer}))
    b_line = shared.lines.get(partner=b.partner)
    client.force_login(operator_a.operator)

    detail = client.get(reverse("dashboard:order-detail", kwargs={"number": shared.number}))
    assert detail.status_code == 200  # A sold a line in this order
    assert "Operator A" in detail.content.decode() and "Operator B" not in detail.content.decode()
    line_url = reverse("dashboard:order-line-detail", kwargs={"number": shared.number, "line_id": b_line.pk})
    assert client.get(line_url).status_code == 404
