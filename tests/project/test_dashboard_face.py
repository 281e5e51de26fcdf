"""The dashboard's face: the shop's name in its navbar (not Oscar's logo), and a pending applicant who opens it is
told their application waits for review, on the shop's own page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_dashboard_navbar_shows_the_shop_name_not_oscars_logo(client):
    store = factories.storefront("Apartment Fab")
    client.force_login(store.operator)

    page = client.get(reverse("dashboard:index")).content.decode()

    brand = re.search(r'<a class="navbar-brand[^"]*" href="([^"]*)">([^<]*)</a>', page)
    assert brand and brand.group(2).strip() == settings.OSCAR_SHOP_NAME
    # Oscar's stylesheet hides the brand's text behind its logo; ours, loaded after it, shows the text again
    oscar_css, our_css = page.find("oscar/css/dashboard.css"), page.find("css/dashboard-brand.css")
    assert 0 < oscar_css < our_css
    rules = Path(finders.find("css/dashboard-brand.css")).read_text()
    assert "navbar-brand" in rules and "background-image: none" in rules and "text-indent: 0" in rules
    assert "<style" not in page and " style=" not in page.split("navbar-brand", 1)[1][:200]


def test_a_pending_applicant_opening_the_dashboard_is_told_the_application_is_pending(client):
    store = factories.storefront("Apartment Fab", active=False)
    client.force_login(store.operator)

    response = client.get(reverse("dashboard:index"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "<html" in page and "navbar" in page  # the shop's layout, not a bare refusal
    assert "Your storefront application for Apartment Fab is pending" in page
    assert "Your account can manage your own storefront" not in page
    assert reverse("storefronts:dashboard") in page  # where the applicant can follow the application
    assert client.get(reverse("storefronts:dashboard")).status_code == 200


def test_a_pending_applicant_is_told_on_every_dashboard_page(client):
    store = factories.storefront("Apartment Fab", active=False)
    client.force_login(store.operator)

    for name in ("dashboard:order-list", "dashboard:catalogue-product-list", "dashboard:reports-index"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "Your storefront application for Apartment Fab is pending" in response.content.decode(), name


def test_an_active_operator_refused_the_reports_gets_the_shop_page(client):
    store = factories.storefront("Apartment Fab")
    client.force_login(store.operator)

    response = client.get(reverse("dashboard:reports-index"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to this page" in page and "Apartment Fab" in page
    assert "pending" not in page
