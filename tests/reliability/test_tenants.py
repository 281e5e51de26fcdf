"""Who may use each route, and tenants that never see each other: every URL of our apps and of Oscar's dashboard
declares who may use it (a route without a declaration fails), operator A asked for operator B's objects gets the
answer a non-existent object gets, and shoppers, certifiers and anonymous visitors stay in their lanes."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from oscar.core.loading import get_model

from tests import factories

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
StockAlert = get_model("partner", "StockAlert")
UserAddress = get_model("address", "UserAddress")

OUR_NAMESPACES = {"designs", "storefronts", "certification", "payments", "revenue", "fulfilment", "dashboard",
                  "contract", "specs", "supporters", "campaigns", "lifecycle", "webhooks", "stewardship", "api",
                  "apitokens", "api:operator"}
PUBLIC, SIGNED_IN, OPERATOR, CERTIFIER, STAFF, WEBHOOK = (
    "public",
    "signed-in",
    "operator",
    "certifier",
    "staff",
    "webhook",
)
TOKEN = "operator token"  # the operator API: a storefront's API token, never a session

# Who may use each route. A new route of our apps or of Oscar's dashboard must be added here, or CI fails.
ACCESS = {
    "designs:list": PUBLIC, "designs:detail": PUBLIC, "designs:graph": PUBLIC,
    "storefronts:directory": PUBLIC, "storefronts:detail": PUBLIC, "storefronts:apply": SIGNED_IN,
    "storefronts:dashboard": OPERATOR, "storefronts:apply-tier": OPERATOR,
    **{f"storefronts:{name}": OPERATOR for name in (
        "offers", "offer-create", "offers-csv", "offers-csv-upload", "offers-csv-apply", "offer-update",
        "offer-restock", "offer-withdraw", "offer-relist")},
    "storefronts:staff-list": STAFF, "storefronts:staff-decide": STAFF, "storefronts:staff-decide-tier": STAFF,
    "certification:directory": PUBLIC, "certification:certificate": PUBLIC,
    "certification:contribute": SIGNED_IN, "certification:apply": SIGNED_IN, "certification:submit-result": SIGNED_IN,
    "certification:queue": CERTIFIER, "certification:application": CERTIFIER,
    "certification:review-contribution": CERTIFIER, "certification:review-result": CERTIFIER,
    "payments:stripe-webhook": WEBHOOK, "payments:stripe-return": PUBLIC,  # the order's verification hash is the key
    "fulfilment:refund-part": OPERATOR, "payments:confirm-offline": OPERATOR,
    "revenue:campus-fund": PUBLIC, "revenue:campus-fund-csv": PUBLIC, "revenue:royalties": SIGNED_IN,
    "revenue:operator": OPERATOR, "revenue:staff": STAFF, "revenue:staff-account": STAFF,
    "revenue:settle-payout": STAFF, "revenue:policy": STAFF,
    "fulfilment:download": PUBLIC,  # the signed, expiring token is the key
    "fulfilment:licence-lookup": PUBLIC, "fulfilment:licence": PUBLIC, "fulfilment:licence-pdf": SIGNED_IN,
    "fulfilment:part-status": OPERATOR, "fulfilment:confirm-delivery": SIGNED_IN,  # the order's own shopper only
    "fulfilment:resend-download": PUBLIC,  # the order's own shopper (or guest session) only; others get a 404
    "fulfilment:part-labels": OPERATOR, "lifecycle:unit-qc": OPERATOR,  # the maker's own units; others' are a 404
    **{f"lifecycle:{name}": STAFF for name in ("checklists", "design-checklist", "design-checklist-from-criteria")},
    "revenue:payout-details": OPERATOR, "revenue:statement": OPERATOR, "revenue:stripe-connect": OPERATOR,
    "revenue:stripe-return": OPERATOR, "revenue:stripe-refresh": OPERATOR,
    "revenue:campus-project": PUBLIC, "revenue:disbursements": STAFF,
    "revenue:campus-receipt": PUBLIC,  # only a booked disbursement's receipt that staff made public; else a 404
    "supporters:updates": OPERATOR, "supporters:update-detail": OPERATOR,
    "supporters:unsubscribe": PUBLIC,  # the signed token is the key
    "supporters:true-fans": PUBLIC, "supporters:support": SIGNED_IN, "supporters:mine": SIGNED_IN,
    "supporters:support-detail": SIGNED_IN, "supporters:support-cancel": SIGNED_IN,  # the supporter's own plans only
    "supporters:dashboard": OPERATOR, "supporters:staff": STAFF, "supporters:standing-orders": STAFF,
    "supporters:support-month-received": STAFF,
    "campaigns:list": PUBLIC, "campaigns:detail": PUBLIC,
    "apitokens:list": OPERATOR, "apitokens:revoke": OPERATOR,  # the operator's API tokens page
    **{f"api:operator:{name}": TOKEN for name in (
        "offer-list", "offer-detail", "offer-stock", "offer-withdraw", "offer-relist", "part-list", "part-detail",
        "part-ship", "part-refund", "revenue-list", "revenue-summary")},
    "contract:current": PUBLIC, "contract:version": PUBLIC, "contract:accept": SIGNED_IN,
    "contract:receipt": SIGNED_IN,  # one's own acceptance only; anyone else's is a 404
    "contract:staff": STAFF, "contract:staff-publish": STAFF,
    "specs:answer": SIGNED_IN,  # the design's accepted contributors and staff; anyone else is told how to become one
    **{f"campaigns:{name}": OPERATOR for name in ("pool", "pool-join", "pool-leave", "propose", "operator-campaign")},
    **{f"campaigns:{name}": STAFF for name in ("staff", "staff-campaign", "staff-spend", "staff-code", "staff-decide")},
    # Oscar's dashboard: operators reach the index, their products and their order lines; the rest is staff's.
    **{f"webhooks:{name}": OPERATOR for name in (  # the operator's own endpoints and deliveries; others' are a 404
        "list", "create", "endpoint", "roll-secret", "test", "remove", "delivery", "replay")},
    "webhooks:demo-receiver": WEBHOOK,  # the demo's stand-in receiver: a signature is the key, and a 404 without DEBUG
    "stewardship:lookup": PUBLIC, "stewardship:unit": PUBLIC,  # a unit's public page: no personal data
    "stewardship:request": SIGNED_IN, "stewardship:claim": SIGNED_IN,  # the owner's own; the signed link is the key
    "stewardship:operator-requests": OPERATOR, "stewardship:operator-request": OPERATOR,  # its own; others' are 404
    "stewardship:staff": STAFF,
    # the open API: read-only public data, anonymous (its schema and reference pages too)
    **{f"api:{name}": PUBLIC for name in (
        "api-root", "schema", "docs", "redoc", "not-found", "campus-fund-month-list",
        *(f"{kind}-{view}" for kind in ("design", "product", "storefront", "certificate")
          for view in ("list", "detail")))},
    "dashboard:login": PUBLIC, "dashboard:logout": PUBLIC,
    "dashboard:index": OPERATOR, "dashboard:catalogue-product": OPERATOR,
    "dashboard:catalogue-product-create": OPERATOR,
    "dashboard:catalogue-product-list": OPERATOR, "dashboard:catalogue-product-lookup": OPERATOR,
    "dashboard:order-list": OPERATOR, "dashboard:order-detail": OPERATOR, "dashboard:order-line-detail": OPERATOR,
    **{f"dashboard:{name}": STAFF for name in (
        "catalogue-product-bulk-action", "catalogue-product-create-child", "catalogue-product-delete",
        "stock-alert-list", "catalogue-category-list", "catalogue-category-detail-list", "catalogue-category-create",
        "catalogue-category-create-child", "catalogue-category-update", "catalogue-category-delete",
        "catalogue-class-create", "catalogue-class-list", "catalogue-class-update", "catalogue-class-delete",
        "catalogue-attribute-option-group-create", "catalogue-attribute-option-group-list",
        "catalogue-attribute-option-group-update", "catalogue-attribute-option-group-delete",
        "catalogue-option-list", "catalogue-option-create", "catalogue-option-update", "catalogue-option-delete",
        "catalogue-design-list", "catalogue-design-create", "catalogue-design-update", "reports-index",
        "order-stats", "order-detail-note", "order-shipping-address",
        "users-index", "user-detail", "user-password-reset", "user-alert-list", "user-alert-delete",
        "user-alert-update",
        "page-list", "page-create", "page-update", "page-delete",
        "partner-list", "partner-create", "partner-manage", "partner-delete", "partner-user-create",
        "partner-user-select", "partner-user-link", "partner-user-unlink", "partner-user-update",
        "offer-list", "offer-metadata", "offer-condition", "offer-benefit", "offer-restrictions", "offer-delete",
        "offer-detail", "range-list", "range-create", "range-update", "range-delete", "range-products",
        "range-reorder", "reviews-list", "reviews-update", "reviews-delete",
        "voucher-list", "voucher-create", "voucher-update", "voucher-delete", "voucher-stats", "voucher-set-list",
        "voucher-set-create", "voucher-set-update", "voucher-set-detail", "voucher-set-download", "voucher-set-delete",
        "comms-list", "comms-update", "shipping-method-list", "shipping-method-create", "shipping-method-detail",
        "shipping-method-edit", "shipping-method-delete", "shipping-method-band-edit", "shipping-method-band-delete",
    )},
}  # fmt: skip


def all_routes():
    """(url name, route, kwarg names) of every named URL of our apps and Oscar's dashboard, from the resolver."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and namespace in OUR_NAMESPACES:
                yield f"{namespace}:{pattern.name}", route, tuple(pattern.pattern.regex.groupindex)

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


def test_every_route_declares_who_may_use_it():
    routes = all_routes()
    assert len(routes) > 130
    undeclared = sorted({f"{name} ({route})" for name, route, _ in routes if name not in ACCESS})
    assert undeclared == [], "declare who may use these routes in ACCESS"
    assert sorted(set(ACCESS) - {name for name, _, _ in routes}) == []  # and no stale declarations


# --- the objects of two tenants -------------------------------------------------------------------------------


@pytest.fixture
def tenants(two_operators, django_capture_on_commit_callbacks):
    """Berlin Fab (A) and Lyon Fab (B), each with an order paid by its own shopper, a part, a tier application, a
    stock alert, a ledger account with a payout to settle, a contribution, a result and an application."""
    from certification.models import CertificationApplication, Contribution, PerformanceCriterion, PerformanceResult
    from marketplace.fulfilment.models import OperatorOrder
    from marketplace.lifecycle.models import Unit
    from marketplace.revenue.models import Account, Payout
    from marketplace.supporters.models import Support, SupporterUpdate
    from tiers.models import Tier, TierApplication

    capture = django_capture_on_commit_callbacks
    objects = {}
    for key, store, offer in (("a", two_operators["berlin"], two_operators["printer"]),
                              ("b", two_operators["lyon"], two_operators["mill"])):  # fmt: skip
        shopper = factories.UserFactory(email=f"shopper-{key}@example.com")
        browser = Client()
        browser.force_login(shopper)
        order = factories.pay_offline(factories.checkout([offer], capture=capture, client=browser), capture=capture)
        line = order.lines.get()
        account, _ = Account.objects.get_or_create(
            kind=Account.OPERATOR, partner=store.partner, defaults={"name": store.name}
        )
        design = offer.product.design
        criterion = PerformanceCriterion.objects.create(
            design=design, metric="Speed", unit="mm/s", comparison=">=", threshold=Decimal("1")
        )
        objects[key] = {
            "store": store, "shopper": shopper, "browser": browser, "order_obj": order,
            "product": offer.product_id, "stockrecord": offer.pk, "order": order.pk, "number": order.number,
            "line": line.pk, "partner": store.partner_id, "user": store.operator_id, "storefront": store.pk,
            "tierapplication": TierApplication.objects.create(  # stored as is: its requirements are not the point here
                storefront=store, tier=Tier.objects.get(code="microfactory-2")).pk,
            "alert": StockAlert.objects.create(stockrecord=offer, threshold=1).pk, "design": design.pk,
            "part": OperatorOrder.objects.get(order=order).pk, "account": account.pk,
            "unit": Unit.objects.get(line=line).pk,
            "payout": Payout.objects.create(account=account, amount=Decimal("5.00"), currency="USD",
                                            method=Payout.MANUAL).pk,
            "note": OrderNote.objects.create(order=order, message="note").pk,
            "contribution": Contribution.objects.create(design=design, design_version=design.version,
                                                        author=store.operator, kind="improvement",
                                                        description="Jig").pk,
            "result": PerformanceResult.objects.create(criterion=criterion, submitted_by=store.operator,
                                                       measured_value=Decimal("2"),
                                                       evidence_url="https://example.com/e").pk,
            "application": CertificationApplication.objects.create(design=design, design_version=design.version,
                                                                   applicant=store.operator).pk,
            "campaign": _proposal(store).pk, "acceptance": _acceptance(store).pk,
            "address": UserAddress.objects.create(user=shopper, first_name="Ada", last_name=key,
                                                  line1=f"{key.upper()} Workshop Lane",
                                                  line4="Town", postcode="64469", country_id="US").pk,
            "supporterupdate": SupporterUpdate.objects.create(storefront=store, author=store.operator,
                                                              subject=f"News {key}", body="Hello").pk,
            "support": Support.objects.create(user=shopper, storefront=store, amount=Decimal("10.00"), currency="USD",
                                              method=Support.BANK, start_date=order.date_placed.date(),
                                              next_due_date=order.date_placed.date(),
                                              bank_reference=f"TF-TENANT{key.upper()}").pk,
            **factories.webhook_with_delivery(store),
        }  # fmt: skip
        objects[key]["servicerequest"] = factories.service_request(store, shopper, objects[key]["unit"]).pk
        from marketplace.api import tokens

        objects[key]["apitoken"] = tokens.create_token(storefront=store, name=f"ERP {key}", scope="write",
                                                       created_by=store.operator)[0].pk  # fmt: skip
    return objects


def _acceptance(store):
    """The operator's acceptance of the Social Contract's current version (its receipt is its own only)."""
    from marketplace.contract import selectors as contract
    from marketplace.contract import services as contract_services

    version = contract.current_version() or contract_services.publish_version(text="Principles", staff=None,
                                                                                notify=False)  # fmt: skip
    return contract_services.accept_version(user=store.operator, version=version, name=store.name,
                                            email=store.operator.email)  # fmt: skip


def _proposal(store):
    """A campaign the storefront proposed as a member of the marketing pool (another's is a 404 to an operator)."""
    from datetime import date

    from marketplace.campaigns import services as campaigns

    campaigns.join_pool(storefront=store)
    today = date.today()
    return campaigns.propose_campaign(storefront=store, title=f"{store.name} at the fair", description="Flyers.",
                                      budget=Decimal("100.00"), starts_on=today, ends_on=today)  # fmt: skip


# Which object a URL's "pk" means, by words in the URL's name (first match wins).
PK_BY_NAME = [
    ("apitokens:", "apitoken"),
    ("webhooks:delivery", "webhookdelivery"), ("webhooks:replay", "webhookdelivery"), ("webhooks:", "webhookendpoint"),
    ("lifecycle:unit", "unit"),
    ("stewardship:", "servicerequest"),
    ("contract:receipt", "acceptance"),
    ("campaigns:", "campaign"),
    ("storefronts:offer", "stockrecord"), ("supporters:update", "supporterupdate"),
    ("supporters:support", "support"),
    ("tier", "tierapplication"), ("storefront", "storefront"), ("stock-alert", "alert"), ("design", "design"),
    ("part", "part"), ("payout", "payout"), ("account", "account"), ("contribution", "contribution"),
    ("result", "result"), ("certification:application", "application"), ("product", "product"),
    ("order", "order"), ("user", "user"), ("line", "line"),
]  # fmt: skip
KWARG_OBJECT = {"number": "number", "line_id": "line", "note_id": "note", "partner_pk": "partner",
                "user_pk": "user", "parent_pk": "product", "product_pk": "product"}  # fmt: skip
FIXED = {"product_class_slug": "level-1-physical", "action": "approve", "slug": "order-placed"}
MISSING = {"number": "99999999"}


def _objects_of(name, kwarg_names):
    """kwarg -> which object it names."""
    kinds = {}
    for kwarg in kwarg_names:
        if kwarg in FIXED:
            continue
        if kwarg in KWARG_OBJECT:
            kinds[kwarg] = KWARG_OBJECT[kwarg]
        else:  # pk, parent, method_pk ...
            kinds[kwarg] = next((obj for word, obj in PK_BY_NAME if word in name), "product")
    return kinds


def _url(name, kwarg_names, values):
    return reverse(name, kwargs={**{k: v for k, v in FIXED.items() if k in kwarg_names}, **values})


def _variants(name, kwarg_names, a, b):
    """B's own objects, ids right next to them (unless they are A's), and objects that do not exist."""
    kinds = _objects_of(name, kwarg_names)
    yield "b", {kwarg: b[kind] for kwarg, kind in kinds.items()}
    for delta in (-1, 1):
        near = {kwarg: type(b[kind])(int(b[kind]) + delta) for kwarg, kind in kinds.items()}
        if all(str(near[kwarg]) != str(a[kind]) for kwarg, kind in kinds.items()):
            yield f"b{delta:+d}", near


def _missing(name, kwarg_names):
    return {kwarg: MISSING.get(kwarg, 999999) for kwarg in _objects_of(name, kwarg_names)}


def object_routes(classes):
    return [(name, kwargs) for name, _, kwargs in all_routes()
            if ACCESS.get(name) in classes and set(kwargs) - set(FIXED)]  # fmt: skip


def test_operator_a_gets_the_not_found_answer_for_operator_b_objects(client, tenants):
    a, b = tenants["a"], tenants["b"]
    client.force_login(a["store"].operator)
    routes = object_routes({OPERATOR, STAFF, CERTIFIER})
    assert len(routes) >= 55

    differences, tried = [], 0
    for name, kwarg_names in routes:
        missing_url = _url(name, kwarg_names, _missing(name, kwarg_names))
        expected = {"GET": client.get(missing_url).status_code, "POST": client.post(missing_url, {}).status_code}
        assert expected["GET"] >= 300 and expected["POST"] >= 300, (name, expected)
        for label, values in _variants(name, kwarg_names, a, b):
            url = _url(name, kwarg_names, values)
            for method in ("GET", "POST"):
                got = getattr(client, method.lower())(url, {} if method == "POST" else None).status_code
                tried += 1
                if got != expected[method]:
                    differences.append(f"{method} {name} {label} {url}: {got}, not-found answer {expected[method]}")
    assert tried > 250
    assert differences == []
    # and nothing of B's changed: its order is still B's and paid, its payout still waits
    from marketplace.revenue.models import Payout

    assert Order.objects.get(pk=b["order"]).status == "Paid"
    assert Payout.objects.get(pk=b["payout"]).status == Payout.PENDING


def test_operators_are_never_staff(two_operators):
    from marketplace.demo import load_demo
    from marketplace.storefronts.models import Storefront

    assert not two_operators["berlin"].operator.is_staff  # approval did not make it staff
    load_demo(report=lambda line: None)
    operators = get_user_model().objects.filter(storefront__isnull=False).distinct()
    assert operators.count() >= 8
    assert list(operators.filter(is_staff=True).values_list("email", flat=True)) == []
    assert not get_user_model().objects.filter(partners__isnull=False, is_staff=True).exists()
    assert Storefront.objects.filter(status="active").count() >= 6


# --- each class of route, visited by who may not use it ---------------------------------------------------------


def _sample_urls(tenants, classes):
    a, b = tenants["a"], tenants["b"]
    for name, _, kwarg_names in all_routes():
        if ACCESS[name] in classes:
            values = dict(next(_variants(name, kwarg_names, a, b))[1]) if set(kwarg_names) - set(FIXED) else {}
            yield name, _url(name, kwarg_names, values)


def test_anonymous_visitors_are_sent_to_sign_in_on_every_non_public_route(client, tenants):
    refused = []
    urls = list(_sample_urls(tenants, {SIGNED_IN, OPERATOR, CERTIFIER, STAFF}))
    assert len(urls) > 110
    for name, url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or "login" not in response["Location"]:
                refused.append(f"{method.upper()} {name} {url}: {response.status_code}")
    assert refused == []


@pytest.mark.parametrize(
    "who, forbidden",
    [("shopper", {OPERATOR, STAFF, CERTIFIER}), ("operator", {STAFF, CERTIFIER}), ("certifier", {OPERATOR, STAFF})],
)
def test_signed_in_users_get_403_or_404_outside_their_role(client, tenants, who, forbidden):
    from certification.services import is_certifier

    user = {"shopper": tenants["a"]["shopper"], "operator": tenants["a"]["store"].operator}.get(who)
    if who == "certifier":
        from django.contrib.auth.models import Group

        user = factories.UserFactory(email="certifier@example.com")
        user.groups.add(Group.objects.get(name="Certifiers"))
        assert is_certifier(user)
    client.force_login(user)
    served = []
    for name, url in _sample_urls(tenants, forbidden):
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status not in (403, 404, 405):
                served.append(f"{method.upper()} {name} {url}: {status}")
    assert served == []


def test_a_certifier_changes_nothing_but_certification_decisions(client, tenants):
    from django.contrib.auth.models import Group

    from certification.models import Contribution
    from marketplace.storefronts.models import Storefront

    certifier = factories.UserFactory(email="certifier@example.com")
    certifier.groups.add(Group.objects.get(name="Certifiers"))
    client.force_login(certifier)

    def state():
        return (list(Storefront.objects.values_list("pk", "status", "name", "tier_id")),
                list(Order.objects.values_list("pk", "status")), OrderNote.objects.count(),
                list(get_user_model().objects.values_list("pk", "is_staff", "is_active")))  # fmt: skip

    before = state()
    for _, url in _sample_urls(tenants, {OPERATOR, STAFF}):
        client.post(url, {"status": "shipped", "reason": "x", "reference": "x", "action": "approve"})
    assert state() == before

    contribution = tenants["b"]["contribution"]
    client.post(reverse("certification:review-contribution", kwargs={"pk": contribution}), {"accept": "1"})
    assert Contribution.objects.get(pk=contribution).status == "accepted"


# --- shoppers ------------------------------------------------------------------------------------------------------


def test_a_shopper_never_sees_another_shoppers_order_address_or_basket(tenants):
    a, b = tenants["a"], tenants["b"]
    browser = b["browser"]
    theirs = a["order_obj"]
    # their own pages answer, so the 404s below are not a broken page
    assert browser.get(reverse("customer:order", kwargs={"order_number": b["number"]})).status_code == 200
    assert browser.get(reverse("customer:address-detail", kwargs={"pk": b["address"]})).status_code == 200
    refused = {
        "order": reverse("customer:order", kwargs={"order_number": theirs.number}),
        "order line": reverse("customer:order-line", kwargs={"order_number": theirs.number, "line_id": a["line"]}),
        "address": reverse("customer:address-detail", kwargs={"pk": a["address"]}),
        "address delete": reverse("customer:address-delete", kwargs={"pk": a["address"]}),
        "checkout address": reverse("checkout:user-address-update", kwargs={"pk": a["address"]}),
        "licence pdf": reverse("fulfilment:licence-pdf", kwargs={"number": "OSL-0000-000000"}),
    }
    statuses = {what: browser.get(url).status_code for what, url in refused.items()}
    assert statuses == dict.fromkeys(refused, 404)
    assert browser.post(refused["address delete"]).status_code == 404
    assert UserAddress.objects.filter(pk=a["address"]).exists()

    # A's basket holds a product B's basket never shows
    a["browser"].post(reverse("basket:add", kwargs={"pk": a["product"]}), {"quantity": 1})
    basket = browser.get(reverse("basket:summary")).content.decode()
    assert theirs.lines.get().title not in basket
    assert "A Workshop Lane" not in browser.get(reverse("customer:address-list")).content.decode()
    # the guest order page with another order's hash asks for the order's email (Oscar's form), showing nothing
    wrong_hash = reverse(
        "customer:anon-order", kwargs={"order_number": theirs.number, "hash": b["order_obj"].verification_hash()}
    )
    page = Client().get(wrong_hash, follow=True)
    assert page.status_code in (200, 404) and theirs.lines.get().title not in page.content.decode()
    assert "A Workshop Lane" not in page.content.decode()


def test_anonymous_visitors_reach_no_dashboard_page(client, tenants):
    reached = [url for name, url in _sample_urls(tenants, set(ACCESS.values()) - {PUBLIC, WEBHOOK})
               if url.startswith("/dashboard/") and client.get(url).status_code == 200]  # fmt: skip
    assert reached == []
    assert client.get("/dashboard/").status_code == 302


def test_the_operator_api_takes_a_token_never_a_session(client, tenants):
    """A signed-in operator's browser cookie opens no operator endpoint: a page elsewhere cannot make it write."""
    urls = list(_sample_urls(tenants, {TOKEN}))
    assert len(urls) >= 11
    client.force_login(tenants["a"]["store"].operator)
    answered = [f"{method.upper()} {name}: {status}" for name, url in urls for method in ("get", "post")
                if (status := getattr(client, method)(url).status_code) not in (401, 405)]  # fmt: skip
    assert answered == []
