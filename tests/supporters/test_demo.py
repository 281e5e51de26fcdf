"""The demo's True Fans: two storefronts taking supporters by standing order and card, their months booked in the
ledger once, however often the demo loads."""

import pytest
from django.contrib.auth import get_user_model

from marketplace.demo import load_demo
from marketplace.revenue.models import JournalEntry
from marketplace.revenue.verification import verify
from marketplace.supporters import selectors
from marketplace.supporters.models import Support, SupportMonth

pytestmark = pytest.mark.django_db


def test_the_demo_has_supporters_on_two_storefronts_and_loading_it_again_adds_nothing(client):
    load_demo(report=lambda line: None)
    assert set(selectors.offering_storefronts().values_list("slug", flat=True)) >= {"curriculum-commons",
                                                                                    "apartment-fab"}  # fmt: skip
    assert {Support.BANK, Support.CARD} <= set(Support.objects.values_list("method", flat=True))
    counts = (Support.objects.count(), SupportMonth.objects.count(),
              JournalEntry.objects.filter(reference__startswith="support:").count())  # fmt: skip
    assert counts[1] == counts[2] >= 10  # every paid month booked
    load_demo(report=lambda line: None)
    assert (Support.objects.count(), SupportMonth.objects.count(),
            JournalEntry.objects.filter(reference__startswith="support:").count()) == counts  # fmt: skip
    assert not verify().problems

    client.force_login(get_user_model().objects.get(email="shopper@demo.opensource.store"))
    page = client.get("/accounts/support/").content.decode()
    assert "Curriculum Commons" in page and "2 months paid" in page
