"""An operator's API tokens: made on its dashboard and shown once, kept as a hash, revoked at once, limited in
number; a call without a live token of an active storefront is refused with a reason."""

import hashlib
import re

import pytest
from django.urls import reverse

from marketplace.api import tokens
from marketplace.api.models import ApiToken
from tests import factories
from tests.api.operator_helpers import OPERATOR_API, api, token_for

pytestmark = pytest.mark.django_db
OFFERS = OPERATOR_API + "offers/"


def test_a_token_is_shown_once_kept_as_a_hash_and_revoked_at_once(client, two_operators):
    berlin = two_operators["berlin"]
    client.force_login(berlin.operator)

    # the operator creates a write token on its dashboard
    created = client.post(reverse("apitokens:list"), {"name": "ERP stock sync", "scope": "write"})
    assert created.status_code == 302
    page = client.get(reverse("apitokens:list")).content.decode()
    token = ApiToken.objects.get(storefront=berlin)
    secret = page.split('id="token-secret" value="')[1].split('"')[0]
    assert secret.startswith("oss_") and len(secret) >= 40
    # the shop keeps its SHA-256 and its first characters, never the secret; the page shows it once
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in [str(value) for value in ApiToken.objects.values_list(*[
        f.attname for f in ApiToken._meta.concrete_fields]).get()]  # fmt: skip
    assert token.prefix == secret[:12]
    again = client.get(reverse("apitokens:list")).content.decode()
    assert secret not in again and f"{token.prefix}…" in again and "never" in again

    # it works, and the dashboard says when it was last used
    assert api(secret).get(OFFERS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    last_used = re.search(r'last-used">([^<]*)<', client.get(reverse("apitokens:list")).content.decode())[1]
    assert last_used != "never" and str(token.last_used_at.year) in last_used

    # revoked, the next call is refused
    assert client.post(reverse("apitokens:revoke", kwargs={"pk": token.pk})).status_code == 302
    refused = api(secret).get(OFFERS)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in refused.json()["detail"]


def test_another_operator_cannot_revoke_a_token_and_staff_need_none(client, two_operators):
    secret = token_for(two_operators["berlin"])
    token = ApiToken.objects.get()
    client.force_login(two_operators["lyon"].operator)
    assert client.post(reverse("apitokens:revoke", kwargs={"pk": token.pk})).status_code == 404
    assert api(secret).get(OFFERS).status_code == 200
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("apitokens:list"))
    assert page.status_code == 404 and "Staff need no token" in page.content.decode()


def test_at_most_ten_live_tokens_a_storefront(client, two_operators):
    berlin = two_operators["berlin"]
    for number in range(tokens.MAX_LIVE_TOKENS):
        token_for(berlin, name=f"Printer {number}")
    client.force_login(berlin.operator)
    refused = client.post(reverse("apitokens:list"), {"name": "One more", "scope": "read"})
    assert refused.status_code == 400
    assert "revoke one you no longer use first" in refused.content.decode()
    assert 'value="One more"' in refused.content.decode()  # what was typed is kept
    tokens.revoke_token(token=ApiToken.objects.first())
    assert client.post(reverse("apitokens:list"), {"name": "One more", "scope": "read"}).status_code == 302


@pytest.mark.parametrize("name", ["", "   "])
def test_a_token_needs_a_name(client, two_operators, name):
    client.force_login(two_operators["berlin"].operator)
    assert client.post(reverse("apitokens:list"), {"name": name, "scope": "read"}).status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer oss_nope", "Bearer a b", "Token oss_x", "Bearer ünï"])
def test_a_missing_or_unknown_token_is_a_401_that_says_how_to_authenticate(two_operators, header):
    client = api()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(OFFERS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "API tokens" in response.json()["detail"] or "token" in response.json()["detail"]


def test_a_signed_in_operator_without_a_token_is_refused(client, two_operators):
    """The session cookie is not a way in: a page on another site cannot make the operator's browser write."""
    client.force_login(two_operators["berlin"].operator)
    assert client.get(OFFERS).status_code == 401
    assert client.post(OFFERS + "stock/", {"offers": []}, content_type="application/json").status_code == 401


def test_a_read_token_may_only_read(two_operators):
    secret = token_for(two_operators["berlin"], scope="read")
    offer = two_operators["printer"]
    assert api(secret).get(OFFERS).status_code == 200
    refused = api(secret).patch(f"{OFFERS}{offer.pk}/", {"price": "1.00"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("This token may only read; create a write token on ")
    assert "/dashboard/api-tokens/" in refused.json()["detail"]
    offer.refresh_from_db()
    assert str(offer.price) == "900.00"


def test_a_suspended_storefronts_tokens_answer_403_with_the_reason(two_operators):
    from marketplace.storefronts.models import Storefront

    berlin = two_operators["berlin"]
    secret = token_for(berlin)
    Storefront.objects.filter(pk=berlin.pk).update(status=Storefront.SUSPENDED, status_reason="Unpaid fees")
    response = api(secret).get(OFFERS)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Berlin Fab is suspended")
    assert "Unpaid fees" in response.json()["detail"]


def test_each_token_has_its_own_rate_limit(settings, two_operators):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "operator_token": "2/minute"}}  # fmt: skip
    first, second = token_for(two_operators["berlin"]), token_for(two_operators["berlin"], name="Other")
    assert [api(first).get(OFFERS).status_code for _ in range(3)] == [200, 200, 429]
    assert api(second).get(OFFERS).status_code == 200
