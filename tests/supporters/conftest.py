import pytest

from tests import factories


@pytest.fixture
def store():
    """Portland Passive, a Passive-tier storefront offering True Fans plans."""
    from marketplace.supporters import services

    store = factories.storefront("Portland Passive", tier="passive", city="Portland")
    services.set_offer(storefront=store, enabled=True, pitch="Your month pays for our open CNC curriculum.")
    return store


@pytest.fixture
def fan():
    return factories.UserFactory(email="fan@example.com", first_name="Ada", last_name="Lovelace")


@pytest.fixture
def records_months():
    return factories.staff("supporters.view_support", "supporters.add_supportmonth", email="books@example.com")
