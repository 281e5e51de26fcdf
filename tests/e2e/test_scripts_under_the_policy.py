"""Under the Content Security Policy (no inline script but the nonced one, no other host) every page's scripts still
run: no console error, no refused script, no request to another host, and the controls that used inline handlers
(the catalogue's filters, View basket, Print, Cancel) still do what they say."""

from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _watch(page, base_url):
    """Everything a person would see go wrong in the browser's console, and every request to another host."""
    problems = []
    page.on("console", lambda message: message.type == "error"
            and problems.append(f"console: {message.text} ({message.location.get('url')})"))  # fmt: skip
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("response", lambda response: response.status >= 400
            and problems.append(f"{response.status}: {response.url}"))  # fmt: skip
    shop = urlparse(base_url).netloc
    page.context.on("request", lambda request: urlparse(request.url).netloc not in (shop, "")
                    and problems.append(f"request to another host: {request.url}"))  # fmt: skip
    return problems


def _visit(page, problems, urls):
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        page.wait_for_load_state("networkidle")
        assert problems == [], (url, problems)


def test_every_role_s_pages_run_their_scripts_under_the_policy(journey, two_operators, live_server,
                                                                django_capture_on_commit_callbacks):
    journey = journey("scripts")
    capture = django_capture_on_commit_callbacks
    order = factories.checkout([two_operators["printer"]], capture=capture)
    printer = two_operators["printer"].product
    design = printer.design
    staff = factories.UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    certifier = factories.UserFactory(email="certifier@example.com")
    certifier.groups.add(Group.objects.get(name="Certifiers"))

    # a visitor: catalogue, product, design, storefronts, certified directory, basket and the guest checkout
    visitor = journey.person()
    problems = _watch(visitor, live_server.url)
    _visit(visitor, problems, ["/", "/catalogue/", printer.get_absolute_url(), design.get_absolute_url(), "/designs/",
                               "/stores/", two_operators["berlin"].get_absolute_url(), "/certified/",
                               "/search/?q=printer", "/accounts/login/"])  # fmt: skip
    # the level filter applies itself (it was an inline onchange handler)
    visitor.goto("/catalogue/")
    with visitor.expect_navigation():
        visitor.locator("select[name=level]").select_option(index=1)
    assert "level=" in visitor.url
    # a cached page's script runs with its own response's nonce: the second visit is served from the page cache
    visitor.goto(printer.get_absolute_url())
    visitor.goto(printer.get_absolute_url())
    visitor.get_by_role("button", name="Add for $900.00").click()
    # View basket in the header (an inline onclick before) opens the basket
    visitor.goto("/catalogue/")
    visitor.locator(".basket-mini button, button:has-text('View basket')").first.click(force=True)
    visitor.wait_for_url("**/basket/")
    _visit(visitor, problems, ["/basket/", "/checkout/guest/"])
    journey.screenshot(visitor, "01-basket", phone=True)
    assert problems == []

    # the operator: its dashboard pages, the product form with the editor and image widget
    operator = journey.person(two_operators["berlin"].operator.email)
    problems = _watch(operator, live_server.url)
    product_page = reverse("dashboard:catalogue-product", kwargs={"pk": printer.pk})
    order_page = reverse("dashboard:order-detail", kwargs={"number": order.number})
    _visit(operator, problems, ["/dashboard/", "/dashboard/storefront/", "/dashboard/catalogue/", product_page,
                                "/dashboard/orders/", order_page, "/dashboard/revenue/"])  # fmt: skip
    operator.goto(reverse("dashboard:catalogue-product", kwargs={"pk": printer.pk}))
    expect(operator.locator(".tox-tinymce, .mce-tinymce").first).to_be_visible()  # the description's editor ran
    journey.screenshot(operator, "02-product-form")
    # Cancel (an inline onclick before) goes back
    operator.goto("/dashboard/storefront/")
    operator.goto(reverse("dashboard:catalogue-product", kwargs={"pk": printer.pk}))
    cancel = operator.locator("a[data-go-back]")
    if cancel.count():
        cancel.first.click()
        operator.wait_for_url("**/dashboard/storefront/")
    assert problems == []

    # staff and a certifier
    for email, urls in ((staff.email, ["/dashboard/", "/dashboard/catalogue/designs/", "/dashboard/storefronts/",
                                       "/dashboard/reviews/", "/dashboard/users/", "/dashboard/reports/",
                                       reverse("dashboard:catalogue-design-update", kwargs={"pk": design.pk})]),
                        (certifier.email, ["/dashboard/certification/"])):  # fmt: skip
        person = journey.person(email)
        problems = _watch(person, live_server.url)
        _visit(person, problems, urls)
        assert problems == []
