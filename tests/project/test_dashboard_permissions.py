"""Every dashboard page, visited by everyone: staff need the model permission stock Oscar 4.2 asks for, operators
reach their own storefront's pages, certifiers the certification queue, and a refusal is the shop's own page."""

import functools

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from oscar.core.application import OscarDashboardConfig
from oscar.core.loading import get_class, get_model

from tests import factories

pytestmark = pytest.mark.django_db

DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
OPERATOR_ACCESS = DashboardPermission.partner_dashboard_access


def dashboard_routes():
    """(url name, kwarg names) of every named URL of the dashboard, by its place under /dashboard/."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace])) if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern) and pattern.name and (
                namespace == "dashboard" or route.startswith("dashboard/")
            ):
                yield f"{namespace}:{pattern.name}", tuple(pattern.pattern.regex.groupindex)

    return sorted(set(walk(get_resolver().url_patterns, "", "")))


@functools.cache
def stock_oscar_maps():
    """Stock Oscar 4.2's permission map of each dashboard app, built by Oscar's own class (the one our forks
    subclass), so what our forks changed cannot hide here."""
    maps = []
    for config in apps.get_app_configs():
        if isinstance(config, OscarDashboardConfig):
            stock = next(cls for cls in type(config).__mro__ if cls.__module__.startswith("oscar.apps."))
            bare = object.__new__(stock)
            stock.configure_permissions(bare)
            maps.append(bare.permissions_map)
    return maps


def stock_oscar_permissions(name):
    """The alternatives stock Oscar asks of a dashboard URL (a tuple of lists, any one of which will do)."""
    view = name.split(":", 1)[1]
    entry = next(stock[view] for stock in stock_oscar_maps() if view in stock)
    return entry if isinstance(entry, tuple) else (entry,)


def staff_permissions(name):
    """What a staff member needs for a dashboard URL: Oscar's permission for its own pages, the Design model's
    permission for ours (in Oscar's way); never the operator alternative."""
    if name in DESIGN_PERMISSIONS:
        return DESIGN_PERMISSIONS[name]
    if name in OUR_STAFF_PERMISSIONS:
        return OUR_STAFF_PERMISSIONS[name]
    return next(sorted(alt) for alt in stock_oscar_permissions(name) if alt != OPERATOR_ACCESS)


@pytest.fixture
def shop(two_operators, django_capture_on_commit_callbacks):
    """Berlin Fab (a) and Lyon Fab (b), each with a paid order of its shopper's, and one of every object a dashboard
    URL names."""
    from datetime import date

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
        design = offer.product.design
        account, _ = Account.objects.get_or_create(
            kind=Account.OPERATOR, partner=store.partner, defaults={"name": store.name}
        )
        criterion = PerformanceCriterion.objects.create(
            design=design, metric="Speed", unit="mm/s", comparison=">=", threshold=1
        )
        objects[key] = {
            "store": store, "operator": store.operator, "shopper": shopper, "order": order,
            "product": offer.product_id, "stockrecord": offer.pk, "number": order.number, "line": order.lines.get().pk,
            "note": get_model("order", "OrderNote").objects.create(order=order, message="Call first").pk,
            "partner": store.partner_id, "user": shopper.pk, "design": design.pk, "storefront": store.pk,
            "tierapplication": TierApplication.objects.create(  # stored as is: its requirements are not the point here
                storefront=store, tier=Tier.objects.get(code="microfactory-2")).pk,
            "part": OperatorOrder.objects.get(order=order).pk, "account": account.pk,
            "unit": Unit.objects.get(line__order=order).pk,
            "payout": Payout.objects.create(account=account, amount=5, currency="USD", method=Payout.MANUAL).pk,
            "contribution": Contribution.objects.create(design=design, design_version=design.version,
                                                        author=store.operator, kind="improvement",
                                                        description="Jig").pk,
            "result": PerformanceResult.objects.create(criterion=criterion, submitted_by=store.operator,
                                                       measured_value=2, evidence_url="https://example.com/e").pk,
            "application": CertificationApplication.objects.create(design=design, design_version=design.version,
                                                                   applicant=store.operator).pk,
            "campaign": _proposal(store).pk,
            "support": Support.objects.create(user=shopper, storefront=store, amount=10, currency="USD",
                                              method=Support.BANK, start_date=date.today(),
                                              next_due_date=date.today(), bank_reference=f"TF-DASH{key.upper()}").pk,
            "supporterupdate": SupporterUpdate.objects.create(storefront=store, author=store.operator, subject="News",
                                                              body="Hello").pk,
            **factories.webhook_with_delivery(store),
        }  # fmt: skip
        objects[key]["servicerequest"] = factories.service_request(store, shopper, objects[key]["unit"]).pk
        from marketplace.api import tokens

        objects[key]["apitoken"] = tokens.create_token(storefront=store, name=f"ERP {key}", scope="read",
                                                       created_by=store.operator)[0]  # fmt: skip
    return objects


def _proposal(store):
    """A campaign the storefront proposed as a member of the marketing pool."""
    from datetime import date

    from marketplace.campaigns import services as campaigns

    campaigns.join_pool(storefront=store)
    return campaigns.propose_campaign(storefront=store, title=f"{store.name} at the fair", description="Flyers.",
                                      budget=100, starts_on=date.today(), ends_on=date.today())  # fmt: skip


@pytest.fixture
def shop_objects(shop):
    """The shop-wide objects Oscar's dashboard pages name: categories, classes, options, offers, vouchers ..."""
    from django.contrib.flatpages.models import FlatPage
    from oscar.test import factories as oscar_factories

    method = get_model("shipping", "WeightBased").objects.create(name="By weight", default_weight=1)
    product = get_model("catalogue", "Product").objects.get(pk=shop["a"]["product"])
    return {
        "category": product.categories.first().pk,
        "productclass": product.product_class_id,
        "attributeoptiongroup": oscar_factories.AttributeOptionGroupFactory().pk,
        "option": oscar_factories.OptionFactory().pk,
        "productalert": oscar_factories.ProductAlertFactory(product=product, user=shop["a"]["shopper"]).pk,
        "flatpage": FlatPage.objects.create(url="/about/", title="About", content="Us").pk,
        "conditionaloffer": oscar_factories.ConditionalOfferFactory().pk,
        "range": oscar_factories.RangeFactory().pk,
        "productreview": oscar_factories.ProductReviewFactory(product=product).pk,
        "voucher": oscar_factories.VoucherFactory().pk,
        "voucherset": oscar_factories.VoucherSetFactory(count=1).pk,
        "communicationeventtype": get_model("communication", "CommunicationEventType").objects.get_or_create(
            code="ORDER_PLACED", defaults={"name": "Order placed"})[0].code,
        "weightbased": method.pk,
        "weightband": method.bands.create(upper_limit=10, charge=5).pk,
    }  # fmt: skip


# Which object a URL's path kwargs name: (url name prefix, kwarg, object), first match wins; "*" is any kwarg.
KWARG_OBJECTS = [
    ("dashboard:catalogue-category", "*", "category"), ("dashboard:catalogue-class", "*", "productclass"),
    ("dashboard:catalogue-attribute-option-group", "*", "attributeoptiongroup"),
    ("dashboard:catalogue-option", "*", "option"), ("dashboard:catalogue-design", "*", "design"),
    ("dashboard:catalogue-product", "*", "product"), ("dashboard:user-alert", "*", "productalert"),
    ("dashboard:user", "*", "user"), ("dashboard:page", "*", "flatpage"), ("dashboard:partner", "user_pk", "operator"),
    ("dashboard:partner", "*", "partner"), ("dashboard:offer", "*", "conditionaloffer"),
    ("dashboard:range", "*", "range"), ("dashboard:reviews", "*", "productreview"),
    ("dashboard:voucher-set", "*", "voucherset"), ("dashboard:voucher", "*", "voucher"),
    ("dashboard:shipping-method-band", "pk", "weightband"), ("dashboard:shipping", "*", "weightbased"),
    ("dashboard:comms", "*", "communicationeventtype"), ("dashboard:order", "note_id", "note"),
    ("dashboard:order", "line_id", "line"), ("dashboard:order", "*", "number"),
    ("storefronts:staff-decide-tier", "pk", "tierapplication"), ("storefronts:staff-decide", "pk", "storefront"),
    ("certification:application", "*", "application"), ("certification:review-contribution", "*", "contribution"),
    ("certification:review-result", "*", "result"), ("payments:confirm-offline", "*", "number"),
    ("fulfilment:refund-part", "*", "part"), ("fulfilment:part-status", "*", "part"),
    ("storefronts:offer", "pk", "stockrecord"), ("revenue:staff-account", "*", "account"),
    ("revenue:settle-payout", "*", "payout"), ("campaigns:", "*", "campaign"),
    ("supporters:support-month-received", "*", "support"), ("supporters:update-detail", "*", "supporterupdate"),
    ("apitokens:revoke", "*", "apitoken"),
    ("lifecycle:unit-qc", "*", "unit"), ("lifecycle:design-checklist", "*", "design"),
    ("fulfilment:part-labels", "*", "part"),
    ("webhooks:delivery", "*", "webhookdelivery"), ("webhooks:replay", "*", "webhookdelivery"),
    ("webhooks:", "*", "webhookendpoint"), ("stewardship:operator-request", "*", "servicerequest"),
]  # fmt: skip
FIXED = {"product_class_slug": "level-1-physical", "action": "approve"}


def url_for(name, kwarg_names, objects):
    """The URL with each path kwarg filled from ``objects`` (the visitor's own, and the shop's)."""
    kwargs = {}
    for kwarg in kwarg_names:
        if kwarg in FIXED:
            kwargs[kwarg] = FIXED[kwarg]
            continue
        kind = next(kind for prefix, key, kind in KWARG_OBJECTS if name.startswith(prefix) and key in ("*", kwarg))
        kwargs[kwarg] = getattr(objects[kind], "pk", objects[kind])
    return reverse(name, kwargs=kwargs)


# --- who may do what -------------------------------------------------------------------------------------------

ANONYMOUS, PLAIN_STAFF, STAFF, BERLIN, LYON, CERTIFIER, SHOPPER = (
    "anonymous", "plain staff", "staff with the permission", "Berlin's operator", "Lyon's operator", "certifier",
    "shopper",
)  # fmt: skip
OPERATORS = {BERLIN, LYON}

# Our own design pages in Oscar's catalogue dashboard, guarded the way Oscar guards its models.
DESIGN_PERMISSIONS = {
    "dashboard:catalogue-design-list": ["catalogue.view_design"],
    "dashboard:catalogue-design-create": ["catalogue.add_design", "catalogue.view_design"],
    "dashboard:catalogue-design-update": ["catalogue.change_design", "catalogue.view_design"],
}
# Oscar's dashboard pages an operator uses for its own storefront (its products, its order lines); Oscar also lets
# partners delete and bulk-hide products and read whole-order statistics, notes and addresses, which span other
# operators' offers and lines: those stay staff's.
OPERATOR_PAGES = {
    "dashboard:index", "dashboard:catalogue-product", "dashboard:catalogue-product-create",
    "dashboard:catalogue-product-list", "dashboard:catalogue-product-lookup", "dashboard:order-list",
    "dashboard:order-detail", "dashboard:order-line-detail",
}  # fmt: skip
# Our own staff pages, each asking the model permission a Django admin would ask for what it writes or reads; the
# operators' forms among them take no permission from an operator acting on its own part of an order.
OUR_STAFF_PERMISSIONS = {
    "payments:confirm-offline": ["order.change_order"], "fulfilment:refund-part": ["marketplace_payments.add_refund"],
    "fulfilment:part-status": ["fulfilment.change_operatororder"],
    "storefronts:staff-list": ["storefronts.view_storefront"],
    "storefronts:staff-decide": ["storefronts.change_storefront"],
    "storefronts:staff-decide-tier": ["tiers.change_tierapplication"],
    "revenue:staff": ["revenue.view_account"], "revenue:staff-account": ["revenue.view_account"],
    "revenue:settle-payout": ["revenue.change_payout"], "revenue:policy": ["revenue.change_allocationpolicy"],
    "revenue:disbursements": ["revenue.add_disbursement"],
    "campaigns:staff": ["campaigns.view_campaign"], "campaigns:staff-campaign": ["campaigns.view_campaign"],
    "campaigns:staff-spend": ["campaigns.add_campaignspending"], "campaigns:staff-code": ["campaigns.change_campaign"],
    "campaigns:staff-decide": ["campaigns.change_campaign"],
    "contract:staff": ["contract.view_contractversion"], "contract:staff-publish": ["contract.add_contractversion"],
    "supporters:staff": ["supporters.view_support"], "supporters:standing-orders": ["supporters.view_support"],
    "supporters:support-month-received": ["supporters.add_supportmonth"],
    "lifecycle:unit-qc": ["fulfilment.change_operatororder"],
    "fulfilment:part-labels": ["fulfilment.change_operatororder"],
    **dict.fromkeys(("lifecycle:checklists", "lifecycle:design-checklist", "lifecycle:design-checklist-from-criteria"),
                    ["lifecycle.change_qcstep"]),
    "stewardship:staff": ["stewardship.view_servicerequest"],
}  # fmt: skip
WEBHOOK_PAGES = ("webhooks:list", "webhooks:create", "webhooks:endpoint", "webhooks:roll-secret", "webhooks:test",
                 "webhooks:remove", "webhooks:delivery", "webhooks:replay")  # fmt: skip
# Our own pages under /dashboard/, and who they are for.
OUR_PAGES = {
    "storefronts:dashboard": OPERATORS, "storefronts:apply-tier": OPERATORS, "revenue:operator": OPERATORS,
    "revenue:payout-details": OPERATORS, "revenue:statement": OPERATORS, "revenue:stripe-connect": OPERATORS,
    "revenue:stripe-return": OPERATORS, "revenue:stripe-refresh": OPERATORS,
    "fulfilment:refund-part": OPERATORS | {STAFF}, "payments:confirm-offline": OPERATORS | {STAFF},
    "fulfilment:part-status": OPERATORS | {STAFF},
    "storefronts:staff-list": {STAFF}, "storefronts:staff-decide": {STAFF},
    "storefronts:staff-decide-tier": {STAFF}, "revenue:staff": {STAFF}, "revenue:staff-account": {STAFF},
    "revenue:settle-payout": {STAFF}, "revenue:policy": {STAFF},
    "revenue:disbursements": {STAFF},
    "storefronts:offers": OPERATORS, "storefronts:offer-create": OPERATORS, "storefronts:offers-csv": OPERATORS,
    "storefronts:offers-csv-upload": OPERATORS, "storefronts:offers-csv-apply": OPERATORS,
    "storefronts:offer-update": OPERATORS, "storefronts:offer-restock": OPERATORS,
    "storefronts:offer-withdraw": OPERATORS, "storefronts:offer-relist": OPERATORS,
    "certification:queue": {CERTIFIER}, "certification:application": {CERTIFIER},
    "certification:review-contribution": {CERTIFIER}, "certification:review-result": {CERTIFIER},
    **dict.fromkeys(("campaigns:pool", "campaigns:pool-join", "campaigns:pool-leave", "campaigns:propose",
                     "campaigns:operator-campaign"), OPERATORS),
    **dict.fromkeys(("campaigns:staff", "campaigns:staff-campaign", "campaigns:staff-spend", "campaigns:staff-code",
                     "campaigns:staff-decide"), {STAFF}),
    "contract:staff": {STAFF}, "contract:staff-publish": {STAFF},
    "supporters:dashboard": OPERATORS, "supporters:staff": {STAFF}, "supporters:standing-orders": {STAFF},
    "supporters:support-month-received": {STAFF},
    "supporters:updates": OPERATORS, "supporters:update-detail": OPERATORS,
    "apitokens:list": OPERATORS, "apitokens:revoke": OPERATORS,  # the operator's API tokens page
    "lifecycle:unit-qc": OPERATORS | {STAFF}, "fulfilment:part-labels": OPERATORS | {STAFF},
    **dict.fromkeys(("lifecycle:checklists", "lifecycle:design-checklist", "lifecycle:design-checklist-from-criteria"),
                    {STAFF}),
    **dict.fromkeys(WEBHOOK_PAGES, OPERATORS),
    "stewardship:operator-requests": OPERATORS, "stewardship:operator-request": OPERATORS,
    "stewardship:staff": {STAFF},
}  # fmt: skip
PUBLIC_PAGES = {"dashboard:login", "dashboard:logout"}


def who_may(name):
    if name in OUR_PAGES:
        return OUR_PAGES[name]
    staff = {STAFF} | ({PLAIN_STAFF} if not any("." in perm for perm in staff_permissions(name)) else set())
    return staff | (OPERATORS if name in OPERATOR_PAGES else set())


# What a page answers a GET from who may use it, when not 200: forms that only take a POST, pages that move on.
POST_ONLY = {
    "dashboard:partner-user-unlink", "dashboard:range-reorder", "dashboard:user-password-reset",
    "certification:review-contribution", "certification:review-result", "revenue:policy", "revenue:settle-payout",
    "storefronts:staff-decide", "storefronts:staff-decide-tier", "storefronts:offers-csv-upload",
    "storefronts:offers-csv-apply", "storefronts:offer-update", "storefronts:offer-restock",
    "storefronts:offer-withdraw", "storefronts:offer-relist", "revenue:payout-details", "revenue:stripe-connect",
    "campaigns:staff-spend", "campaigns:staff-code", "campaigns:staff-decide", "contract:staff-publish",
    "supporters:support-month-received", "lifecycle:design-checklist-from-criteria",
}  # fmt: skip
# Forms that refuse a GET (405) from anyone signed in, before asking who they are.
POST_FIRST = {"storefronts:apply-tier", "fulfilment:refund-part", "payments:confirm-offline", "fulfilment:part-status",
              "revenue:payout-details", "revenue:stripe-connect", "campaigns:pool-join",
              "campaigns:pool-leave", "webhooks:roll-secret", "webhooks:test", "webhooks:remove",
              "webhooks:replay", "apitokens:revoke"}  # fmt: skip
GET_ANSWERS = {
    ("dashboard:catalogue-product-create", ()): 302,  # on to the form for a product class
    ("dashboard:catalogue-product-create-child", ("parent_pk",)): 302,  # a standalone product takes no variants
    ("dashboard:catalogue-product-bulk-action", ()): 302,  # no products chosen: back to the list
    # a new offer's later steps send you back to its first one
    ("dashboard:offer-condition", ()): 302, ("dashboard:offer-benefit", ()): 302,
    ("dashboard:offer-restrictions", ()): 302,
    ("dashboard:partner-user-link", ("partner_pk", "user_pk")): 302,  # already linked: back to the partner
    # not connected to Stripe yet: back to the revenue page
    ("revenue:stripe-return", ()): 302, ("revenue:stripe-refresh", ()): 302,
}  # fmt: skip
# How a page refuses, when not with the 403 page: a "your storefront" page, or a form for your own order part, of
# someone who has none answers as for a missing object.
REFUSALS = {
    "storefronts:dashboard": 404, "storefronts:apply-tier": 404, "revenue:operator": 404,
    "revenue:payout-details": 404, "revenue:statement": 404,  # your bank details and statement: you have none
    "revenue:stripe-connect": 404, "revenue:stripe-return": 404, "revenue:stripe-refresh": 404,  # nor a Stripe account
    "fulfilment:refund-part": 404, "payments:confirm-offline": 404, "fulfilment:part-status": 404,
    **dict.fromkeys(("campaigns:pool", "campaigns:pool-join", "campaigns:pool-leave", "campaigns:propose",
                     "campaigns:operator-campaign"), 404),  # your Marketing pool page: you have no storefront
    "supporters:dashboard": 404,  # your True Fans supporters: you have no storefront
    "supporters:updates": 404, "supporters:update-detail": 404,  # your updates to supporters: no storefront
    "apitokens:list": 404, "apitokens:revoke": 404,  # your API tokens: you have no storefront (staff need none)
    **dict.fromkeys(WEBHOOK_PAGES, 404),  # your webhooks: you have no storefront
    ("revenue:operator", PLAIN_STAFF): 302, ("revenue:operator", STAFF): 302,  # on to the staff revenue page
    # staff see every part, and are told which permission they lack
    ("fulfilment:refund-part", PLAIN_STAFF): 403, ("payments:confirm-offline", PLAIN_STAFF): 403,
    ("fulfilment:part-status", PLAIN_STAFF): 403,
    "lifecycle:unit-qc": 404, "fulfilment:part-labels": 404,  # units and labels: the maker's own, else not found
    ("lifecycle:unit-qc", PLAIN_STAFF): 403, ("fulfilment:part-labels", PLAIN_STAFF): 403,
    "stewardship:operator-requests": 404, "stewardship:operator-request": 404,  # your requests: no storefront
}  # fmt: skip
# The pages whose POST destroys or changes what others rely on: posted by everyone who may not use them.
DESTRUCTIVE = {
    "dashboard:catalogue-product-delete", "dashboard:order-detail-note", "dashboard:order-shipping-address",
    "dashboard:catalogue-product-bulk-action",
}  # fmt: skip


def expected(name, kwarg_names, role, method):
    """The status a visitor gets: the sign-in redirect ("login") for anonymous visitors, else the table's answer."""
    if role == ANONYMOUS:
        return "login"
    if method == "GET" and name in POST_FIRST:
        return 405
    if role in who_may(name):
        return 405 if method == "GET" and name in POST_ONLY else GET_ANSWERS.get((name, kwarg_names), 200)
    return REFUSALS.get((name, role), REFUSALS.get(name, 403))


def answer(response):
    if response.status_code == 302 and "login" in response["Location"]:
        return "login"
    return response.status_code


def grant(user, perms):
    user.user_permissions.set(
        Permission.objects.get(content_type__app_label=label, codename=codename)
        for label, codename in (perm.split(".") for perm in perms if "." in perm)
    )


def _permission_name(perm):
    """The permission as the admin lists it to whoever grants it ("Can change Order")."""
    label, codename = perm.split(".")
    return Permission.objects.get(content_type__app_label=label, codename=codename).name


def certifier_user():
    user = factories.UserFactory(email="certifier@example.com")
    user.groups.add(Group.objects.get(name="Certifiers"))
    return user


def test_every_dashboard_url_answers_each_visitor_as_the_table_says(shop, shop_objects):
    # given a browser for each kind of visitor
    staff = factories.UserFactory(is_staff=True, email="staff@example.com")
    users = {
        ANONYMOUS: None, PLAIN_STAFF: factories.UserFactory(is_staff=True, email="plain@example.com"), STAFF: staff,
        BERLIN: shop["a"]["operator"], LYON: shop["b"]["operator"], CERTIFIER: certifier_user(),
        SHOPPER: shop["a"]["shopper"],
    }  # fmt: skip
    browsers = {}
    for role, user in users.items():
        browsers[role] = Client()
        if user is not None:
            browsers[role].force_login(user)
    routes = [(name, kwargs) for name, kwargs in dashboard_routes() if name not in PUBLIC_PAGES]
    assert len(routes) >= 110
    assert {name for name, _ in routes} >= set(OUR_PAGES) | set(DESIGN_PERMISSIONS) | DESTRUCTIVE | OPERATOR_PAGES

    # when each visits every page (an operator with its own objects), and posts to the destructive ones
    wrong, bare, unnamed, refusals = [], [], [], 0
    for name, kwarg_names in routes:
        if name.startswith("dashboard:") or name in OUR_STAFF_PERMISSIONS:
            grant(staff, staff_permissions(name))
        for role, browser in browsers.items():
            url = url_for(name, kwarg_names, {**shop_objects, **shop["b" if role == LYON else "a"]})
            posts = name in DESTRUCTIVE | POST_ONLY | POST_FIRST and role not in who_may(name)
            methods = ["GET", "POST"] if posts else ["GET"]
            for method in methods:
                response = browser.get(url) if method == "GET" else browser.post(url, {})
                want, got = expected(name, kwarg_names, role, method), answer(response)
                if got != want:
                    wrong.append(f"{method} {name} as {role}: {got}, the table says {want}")
                elif got == 403:
                    refusals += 1
                    if "You do not have access to this page" not in response.content.decode():
                        bare.append(f"{method} {name} as {role}")
                    if role == PLAIN_STAFF and name in OUR_STAFF_PERMISSIONS and not all(
                        _permission_name(perm) in response.content.decode() for perm in staff_permissions(name)
                    ):
                        unnamed.append(f"{method} {name}")

    # then every answer is the table's, and every refusal is the shop's page
    assert wrong == [], "\n".join(wrong)
    assert bare == [], "a bare 403, not the shop's refusal page"
    assert unnamed == [], "a staff refusal that does not name the permission to ask for"
    assert refusals > 500


def test_the_permission_maps_keep_oscars_staff_permissions_and_add_only_operator_access():
    """Each dashboard URL asks what stock Oscar asks of staff (our design pages: the Design model's permissions);
    the only other way in is Oscar's own operator alternative, on the operator's pages."""
    configs = [config for config in apps.get_app_configs() if isinstance(config, OscarDashboardConfig)]
    changed = []
    for name, _ in dashboard_routes():
        if not name.startswith("dashboard:") or name in PUBLIC_PAGES:
            continue
        view = name.split(":", 1)[1]
        live = next(config.get_permissions(view) for config in configs if view in config.permissions_map)
        live = live if isinstance(live, tuple) else (live,)
        want = [sorted(staff_permissions(name))] + ([OPERATOR_ACCESS] if name in OPERATOR_PAGES else [])
        if sorted(map(sorted, live)) != sorted(want):
            changed.append(f"{name}: {live}, not {want}")
    assert changed == []


@pytest.fixture
def berlin_order(two_operators, django_capture_on_commit_callbacks):
    """A guest's order of Berlin Fab's printer, with a delivery address and a note from staff."""
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    note = order.notes.create(message="Call before delivery", user=factories.UserFactory(is_staff=True))
    return order, note


def _signed_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def _staff(*perms, email):
    user = factories.UserFactory(is_staff=True, email=email)
    grant(user, perms)
    return user


def test_deleting_a_product_needs_oscars_delete_permission(two_operators):
    product = two_operators["printer"].product
    url = reverse("dashboard:catalogue-product-delete", kwargs={"pk": product.pk})
    refused = {
        "plain staff": factories.UserFactory(is_staff=True, email="plain@example.com"),
        "staff who may only view products": _staff("catalogue.view_product", email="viewer@example.com"),
        "the operator who offers it": two_operators["berlin"].operator,
    }
    for who, user in refused.items():
        assert _signed_in(user).post(url).status_code == 403, who
    assert get_model("catalogue", "Product").objects.filter(pk=product.pk).exists()

    deleter = _staff("catalogue.view_product", "catalogue.delete_product", email="deleter@example.com")
    assert _signed_in(deleter).post(url).status_code == 302
    assert not get_model("catalogue", "Product").objects.filter(pk=product.pk).exists()


def _hide_in_bulk(browser, product):
    """Choose the product on the product list, 'Make products non-public', confirm."""
    chosen = browser.post(reverse("dashboard:catalogue-product-list"),
                          {"action": "make_products_non_public", "selected_product": [product.pk]})  # fmt: skip
    assert chosen.status_code == 302
    assert chosen["Location"].startswith(reverse("dashboard:catalogue-product-bulk-action"))
    return browser.post(chosen["Location"], {"selected_products": [product.pk]})


def test_hiding_products_in_bulk_needs_oscars_change_permission(two_operators):
    product = two_operators["printer"].product
    viewer = _staff("catalogue.view_product", email="viewer@example.com")
    for who, user in {"staff who may only view products": viewer,
                      "the operator who offers it": two_operators["berlin"].operator}.items():  # fmt: skip
        assert _hide_in_bulk(_signed_in(user), product).status_code == 403, who
        product.refresh_from_db()
        assert product.is_public, who

    editor = _staff("catalogue.view_product", "catalogue.change_product", email="editor@example.com")
    assert _hide_in_bulk(_signed_in(editor), product).status_code == 302
    product.refresh_from_db()
    assert not product.is_public


def test_editing_an_order_note_needs_oscars_change_permission(berlin_order, two_operators):
    order, note = berlin_order
    url = reverse("dashboard:order-detail-note", kwargs={"number": order.number, "note_id": note.pk})
    edit = {"order_action": "save_note", "message": "Leave it with the neighbour"}
    refused = {
        "plain staff": factories.UserFactory(is_staff=True, email="plain@example.com"),
        "staff who may only view orders": _staff("order.view_order", email="viewer@example.com"),
        "the operator who sold it": two_operators["berlin"].operator,
    }
    for who, user in refused.items():
        assert _signed_in(user).post(url, edit).status_code == 403, who
    note.refresh_from_db()
    assert note.message == "Call before delivery"

    clerk = _staff("order.view_order", "order.change_order", email="clerk@example.com")
    assert _signed_in(clerk).post(url, edit).status_code == 302
    note.refresh_from_db()
    assert note.message == "Leave it with the neighbour"


def _change_status(browser, order, status, *, bulk=False):
    """'Change order status' on the order's page, or the order list's bulk action."""
    if bulk:
        return browser.post(reverse("dashboard:order-list"), {"action": "change_order_statuses",
                                                               "selected_order": [order.pk], "new_status": status})
    return browser.post(reverse("dashboard:order-detail", kwargs={"number": order.number}),
                        {"order_action": "change_order_status", "new_status": status})  # fmt: skip


def test_changing_an_order_or_its_notes_needs_oscars_change_permission(berlin_order):
    order, _ = berlin_order
    viewer = _signed_in(_staff("order.view_order", email="viewer@example.com"))
    # when staff who may only view orders change its status, on its page or in bulk, or add a note
    refused = {
        "status on the order page": _change_status(viewer, order, "Cancelled"),
        "status in bulk": _change_status(viewer, order, "Cancelled", bulk=True),
        "a new note": viewer.post(reverse("dashboard:order-detail", kwargs={"number": order.number}),
                                  {"order_action": "save_note", "message": "Paid in cash, ship it"}),
    }  # fmt: skip
    # then each is refused on the shop's page, naming the permission, and the order is as it was
    for what, page in refused.items():
        assert page.status_code == 403, what
        assert "Can change Order" in page.content.decode(), what
    order.refresh_from_db()
    assert order.status == "Pending"
    assert not order.notes.filter(message__startswith="Paid in cash").exists()
    # and the order page offers them neither form
    page = viewer.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    assert 'value="change_order_status"' not in page and 'value="change_order_statuses"' not in page

    clerk = _signed_in(_staff("order.view_order", "order.change_order", email="clerk@example.com"))
    assert _change_status(clerk, order, "Cancelled").status_code == 302
    order.refresh_from_db()
    assert order.status == "Cancelled"


def test_no_status_form_makes_an_order_paid(berlin_order, two_operators, django_capture_on_commit_callbacks):
    order, _ = berlin_order
    admin = _signed_in(factories.UserFactory(is_staff=True, is_superuser=True, email="admin@example.com"))
    operator = _signed_in(two_operators["berlin"].operator)
    line = order.lines.get()
    # when even a superuser picks Paid in Oscar's status forms, and the operator marks its line Paid
    with django_capture_on_commit_callbacks(execute=True):
        pages = [
            admin.post(reverse("dashboard:order-detail", kwargs={"number": order.number}),
                       {"order_action": "change_order_status", "new_status": "Paid"}, follow=True),
            admin.post(reverse("dashboard:order-list"), {"action": "change_order_statuses",
                                                         "selected_order": [order.pk], "new_status": "Paid"},
                       follow=True),
            operator.post(reverse("dashboard:order-detail", kwargs={"number": order.number}),
                          {"line_action": "change_line_statuses", "selected_line": [line.pk],
                           f"selected_line_qty_{line.pk}": 1, "new_status": "Paid"}, follow=True),
        ]  # fmt: skip
    # then the order stays unpaid, nothing is delivered, and each is told how an order becomes paid
    for page in pages:
        assert page.status_code == 200
        assert "An order becomes Paid only when its payment is confirmed" in page.content.decode()
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, line.status) == ("Pending", "Pending")
    assert not order.payment_events.exists()
    # and the forms do not offer Paid
    detail = admin.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    listing = admin.get(reverse("dashboard:order-list")).content.decode()
    assert '<option value="Paid">' not in detail and "<option>Paid</option>" not in detail
    assert "<option>Paid</option>" not in listing
    assert '<option value="Cancelled">' in detail and "<option>Cancelled</option>" in listing


def test_a_paid_order_is_refunded_not_cancelled_and_no_payment_event_is_typed(
    berlin_order, django_capture_on_commit_callbacks
):
    order, _ = berlin_order
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    admin = _signed_in(factories.UserFactory(is_staff=True, is_superuser=True, email="admin@example.com"))
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    line = order.lines.get()
    events = order.payment_events.count()

    # when a superuser cancels the paid order (its page, the list) or types payment events
    pages = [
        admin.post(url, {"order_action": "change_order_status", "new_status": "Cancelled"}, follow=True),
        admin.post(reverse("dashboard:order-list"), {"action": "change_order_statuses", "selected_order": [order.pk],
                                                     "new_status": "Cancelled"}, follow=True),
        admin.post(url, {"order_action": "create_order_payment_event", "payment_event_type": "paid",
                         "amount": "22.00"}, follow=True),
        admin.post(url, {"line_action": "create_payment_event", "selected_line": [line.pk],
                         f"selected_line_qty_{line.pk}": 1, "payment_event_type": "paid"}, follow=True),
    ]  # fmt: skip

    # then each is refused, saying what to do instead, and the order and its payments are as they were
    said = [" ".join(str(m) for m in page.context["messages"]) for page in pages]
    assert "Refund each operator's part with its Refund form" in said[0] and "Refund each" in said[1]
    assert all("Payments are recorded when they arrive" in text for text in said[2:])
    order.refresh_from_db()
    assert order.status == "Paid" and order.payment_events.count() == events


def test_changing_a_delivery_address_needs_oscars_order_permission(berlin_order, two_operators):
    from tests.checkout.test_checkout import ADDRESS

    order, _ = berlin_order
    url = reverse("dashboard:order-shipping-address", kwargs={"number": order.number})
    moved = {**ADDRESS, "line1": "9 Elsewhere Road"}
    for who, user in {"plain staff": factories.UserFactory(is_staff=True, email="plain@example.com"),
                      "the operator who sold it": two_operators["berlin"].operator}.items():  # fmt: skip
        assert _signed_in(user).post(url, moved).status_code == 403, who
    order.shipping_address.refresh_from_db()
    assert order.shipping_address.line1 == "1 Workshop Lane"

    # stock Oscar asks only for the permission to view orders here
    clerk = _staff("order.view_order", email="clerk@example.com")
    assert _signed_in(clerk).post(url, moved).status_code == 302
    order.shipping_address.refresh_from_db()
    assert order.shipping_address.line1 == "9 Elsewhere Road"


# --- the refusal page --------------------------------------------------------------------------------------------


def test_a_refusal_is_the_shops_page_saying_what_the_account_may_do_instead(two_operators):
    berlin = two_operators["berlin"]
    url = reverse("dashboard:catalogue-product-delete", kwargs={"pk": two_operators["printer"].product_id})
    pages = {
        "operator": _signed_in(berlin.operator).get(url),
        "staff": _signed_in(factories.UserFactory(is_staff=True, email="plain@example.com")).get(url),
        "certifier": _signed_in(certifier_user()).get(url),
        "shopper": _signed_in(factories.UserFactory(email="shopper@example.com")).get(url),
    }
    assert {who: page.status_code for who, page in pages.items()} == dict.fromkeys(pages, 403)
    html = {who: page.content.decode() for who, page in pages.items()}
    for who, page in html.items():
        assert "You do not have access to this page" in page, who
        assert "Open Source Store" in page, who  # the shop's own layout
        assert f'href="{reverse("customer:summary")}"' in page, who  # their account is always theirs

    assert f'href="{reverse("storefronts:dashboard")}"' in html["operator"]
    assert "Berlin Fab" in html["operator"]
    assert f'href="{reverse("dashboard:catalogue-product-list")}"' in html["operator"]
    assert "ask a shop administrator" in html["staff"]
    assert f'href="{reverse("certification:queue")}"' in html["certifier"]
    assert f'href="{reverse("customer:order-list")}"' in html["shopper"]
    assert reverse("storefronts:dashboard") not in html["shopper"]


def test_a_refusal_with_a_reason_shows_it(two_operators):
    # when staff without a storefront open the operators' offers page
    page = _signed_in(factories.UserFactory(is_staff=True)).get(reverse("storefronts:offers"))
    # then the refusal says why and what to use instead
    assert page.status_code == 403
    assert "Catalogue → Products" in page.content.decode()


def test_an_operator_opening_a_shared_product_is_sent_to_its_own_offer(two_operators):
    # given a product Berlin Fab and Lyon Fab both offer
    printer = two_operators["printer"].product
    factories.offer(two_operators["lyon"], printer, price="950.00")
    browser = _signed_in(two_operators["berlin"].operator)
    # when Berlin's operator opens it, or posts a change to it
    for page in (browser.get(reverse("dashboard:catalogue-product", kwargs={"pk": printer.pk}), follow=True),
                 browser.post(reverse("dashboard:catalogue-product", kwargs={"pk": printer.pk}), {"title": "Mine now"},
                              follow=True)):  # fmt: skip
        # then it lands on its own offers page, told why
        assert page.redirect_chain[-1][0] == reverse("storefronts:offers") + f"#product-{printer.pk}"
        assert "offered by other operators too" in page.content.decode()
    printer.refresh_from_db()
    assert printer.title != "Mine now"


def test_no_one_moves_a_line_outside_its_part(berlin_order, django_capture_on_commit_callbacks):
    order, _ = berlin_order
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    admin = _signed_in(factories.UserFactory(is_staff=True, is_superuser=True, email="admin@example.com"))
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    line = order.lines.get()
    chosen = {"selected_line": [line.pk], f"selected_line_qty_{line.pk}": 1}

    # when a superuser cancels the line, or records its shipment, with Oscar's line actions
    pages = [
        admin.post(url, {**chosen, "line_action": "change_line_statuses", "new_status": "Cancelled"}, follow=True),
        admin.post(url, {**chosen, "line_action": "create_shipping_event", "shipping_event_type": "shipped",
                         "reference": "DHL 1"}, follow=True),
    ]  # fmt: skip

    # then each is refused, pointing to the part's own forms, and the line and its part are as they were
    for page in pages:
        assert "use the part's status form" in " ".join(str(m) for m in page.context["messages"])
    line.refresh_from_db()
    assert line.status != "Cancelled" and not order.shipping_events.exists()
    assert 'name="line_action"' not in admin.get(url).content.decode()
