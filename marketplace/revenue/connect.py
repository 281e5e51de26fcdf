"""An operator's own Stripe account (Connect Express): the shop creates it once, sends the operator to Stripe's
hosted onboarding, and learns what Stripe decided from ``account.updated`` events (applied by a worker) or from its
own read when the operator comes back. Payouts go there only once its transfers capability is active."""

import datetime

from django.db import transaction
from django.utils import timezone

from marketplace.revenue.models import Account
from marketplace.revenue.services import operator_account

# Stripe's names for what it still needs, in words an operator understands; anything else is shown as Stripe says.
REQUIREMENT_WORDS = {
    "external_account": "a bank account for Stripe to pay you",
    "tos_acceptance.date": "accepting Stripe's terms",
    "tos_acceptance.ip": "accepting Stripe's terms",
    "business_profile.url": "your website or a product description",
    "business_profile.mcc": "your business category",
    "verification.document": "an identity document",
    "id_number": "your identity number",
    "ssn_last_4": "the last four digits of your social security number",
    "dob": "your date of birth",
    "address": "your address",
    "first_name": "your first name",
    "last_name": "your last name",
    "phone": "your phone number",
    "email": "your e-mail address",
}


def in_words(requirement: str) -> str:
    """``individual.dob.day`` -> "your date of birth": the words for the most specific part we know."""
    if requirement in REQUIREMENT_WORDS:
        return REQUIREMENT_WORDS[requirement]
    parts = requirement.split(".")
    for start in range(1, len(parts)):
        for end in range(len(parts), start, -1):
            if (known := ".".join(parts[start:end])) in REQUIREMENT_WORDS:
                return REQUIREMENT_WORDS[known]
    return parts[-1].replace("_", " ")


def onboarding_link(*, storefront, return_url: str, refresh_url: str) -> str:
    """Stripe's onboarding page for the storefront's connected account, created the first time (one account per
    ledger account, ever: a second click, or two at once, reuse it)."""
    from marketplace.payments import stripe_gateway

    account = operator_account(storefront.partner_id)
    if not account.stripe_account_id:
        created = stripe_gateway.create_express_account(
            email=storefront.contact_email, country=storefront.country.upper(), name=storefront.name,
            ledger_account_id=account.pk, idempotency_key=f"oss-account-{account.pk}-connect",
        )  # fmt: skip
        with transaction.atomic():  # the same key gives the same Stripe account, so a race stores one id
            Account.objects.filter(pk=account.pk, stripe_account_id="").update(stripe_account_id=created["id"])
        apply_account(account_object=created, as_of=timezone.now())
        account.refresh_from_db()
    return stripe_gateway.create_account_link(
        account_id=account.stripe_account_id, return_url=return_url, refresh_url=refresh_url
    )


def check_with_stripe(account: Account) -> Account:
    """Read the connected account from Stripe now (the operator just came back from onboarding)."""
    from marketplace.payments import stripe_gateway

    if account.stripe_account_id:
        apply_account(account_object=stripe_gateway.retrieve_account(account.stripe_account_id), as_of=timezone.now())
        account.refresh_from_db()
    return account


def can_receive_transfers(account_object: dict) -> bool:
    capabilities = account_object.get("capabilities") or {}
    return capabilities.get("transfers") == "active"


@transaction.atomic
def apply_account(*, account_object: dict, as_of: datetime.datetime) -> str:
    """Store what Stripe says about a connected account, unless we already hold a newer word: events come in any
    order and more than once, so an older ``account.updated`` never undoes a newer one."""
    stripe_id = account_object.get("id")
    account = Account.objects.select_for_update().filter(stripe_account_id=stripe_id).first() if stripe_id else None
    if account is None:
        return "no ledger account for this Stripe account"
    # Stripe dates events to the second: within the same second, its event wins over our own read
    if account.stripe_state_at and account.stripe_state_at.replace(microsecond=0) > as_of:
        return "older than what we know"
    requirements = account_object.get("requirements") or {}
    due = [str(item)[:100] for item in (requirements.get("currently_due") or []) + (requirements.get("past_due") or [])]
    account.stripe_transfers_active = can_receive_transfers(account_object)
    account.stripe_details_submitted = bool(account_object.get("details_submitted"))
    account.stripe_requirements = sorted(set(due))[:50]
    account.stripe_state_at = as_of
    account.save(update_fields=["stripe_transfers_active", "stripe_details_submitted", "stripe_requirements",
                                "stripe_state_at"])  # fmt: skip
    return "can receive transfers" if account.stripe_transfers_active else "cannot receive transfers yet"


def state(account: Account | None) -> dict:
    """What the operator's revenue page says about its Stripe account."""
    if account is None or not account.stripe_account_id:
        return {"connected": False}
    needs = [in_words(item) for item in account.stripe_requirements]
    return {
        "connected": True,
        "ready": account.paid_by_stripe,
        "submitted": account.stripe_details_submitted,
        "needs": list(dict.fromkeys(needs)),
        "as_of": account.stripe_state_at,
    }
