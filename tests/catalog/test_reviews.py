"""A shopper's review: a form sent back with an error says what is wrong (Oscar's star rating crashed on it)."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title, score", [("   ", "3"), ("", "4"), ("Fine", "9"), ("x" * 300, "5"), ("Good", "abc")])
def test_an_invalid_review_is_sent_back_with_its_errors(client, title, score):
    product = factories.level_product(factories.design(), 1, title="D3D printer kit")
    client.force_login(factories.UserFactory(email="reviewer@example.com"))
    url = reverse("catalogue:reviews-add", kwargs={"product_slug": product.slug, "product_pk": product.pk})
    page = client.post(url, {"title": title, "score": score, "body": "It prints."})
    assert page.status_code == 200 and "error" in page.content.decode()
    assert "Offered by 0 operators" not in page.content.decode()
