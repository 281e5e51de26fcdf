"""The demo's people: the four logins printed after `load_demo` (staff, shopper, an operator, a certifier), every
other address the demo needs (operators, contributors, a second certifier) with the same password, and the
shopper's saved address. One password for all, so whoever tries the demo can sign in as any role; the saved address
lets the signed-in checkout be tried without typing one.
"""

from django.contrib.auth import get_user_model
from oscar.core.loading import get_model

DEMO_PASSWORD = "open-source-store"  # noqa: S105 - printed for the demo shop only
DEMO_USERS = [
    # (role, email, is_staff)
    ("staff", "staff@demo.opensource.store", True),
    ("shopper", "shopper@demo.opensource.store", False),
    ("operator", "apartment@demo.opensource.store", False),
    ("certifier", "certifier@demo.opensource.store", False),
]
DEMO_ADDRESS = {"first_name": "Ada", "last_name": "Maker", "line1": "1 Workshop Lane", "line4": "Maysville",
                "postcode": "64469"}  # fmt: skip


def load_users() -> dict:
    """The printed logins by role; staff is also superuser. A login that exists already keeps its password."""
    users = {}
    User = get_user_model()
    for role, email, is_staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"username": email[:30], "is_staff": is_staff, "is_superuser": is_staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[role] = user
    return users


def demo_user(email: str) -> "User":  # noqa: F821
    """Any other demo address (an operator, a contributor, a certifier): created once, with the demo password."""
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults={"username": email[:30]})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def load_address_book(shopper) -> None:
    """The demo shopper's saved address, which the signed-in checkout offers."""
    UserAddress = get_model("address", "UserAddress")
    country = get_model("address", "Country").objects.get(iso_3166_1_a2="US")
    if not UserAddress.objects.filter(user=shopper).exists():
        UserAddress.objects.create(user=shopper, country=country, is_default_for_shipping=True,
                                   is_default_for_billing=True, **DEMO_ADDRESS)  # fmt: skip
