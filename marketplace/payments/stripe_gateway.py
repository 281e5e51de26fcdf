"""Stripe through its own library. Amounts go to Stripe in the currency's minor unit; every call that creates or
moves money carries an idempotency key derived from our own record, stored before the call."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from marketplace.payments.models import StripeIntent


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY and settings.STRIPE_WEBHOOK_SECRET)


def _client():
    import stripe  # about 13 MiB with aiohttp: loaded on the first call to Stripe, not by every web process

    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return (
        stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base)
        if base
        else stripe.StripeClient(settings.STRIPE_SECRET_KEY)
    )


def to_minor_units(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def intent_for_order(*, order_number: str, amount: Decimal, currency: str) -> StripeIntent:
    """The order's PaymentIntent, created once: a retry for the same order number gets the same intent."""
    with transaction.atomic():
        record, _ = StripeIntent.objects.select_for_update().get_or_create(
            order_number=order_number, defaults={"amount": amount, "currency": currency.upper()}
        )
        if record.intent_id:
            if (record.amount, record.currency) != (amount, currency.upper()):
                raise ValueError(f"Order {order_number} already has a payment intent for another amount.")
            return record
    intent = _client().v1.payment_intents.create(
        params={
            "amount": to_minor_units(amount),
            "currency": currency.lower(),
            "metadata": {"order_number": order_number},
        },
        options={"idempotency_key": record.idempotency_key},
    )
    StripeIntent.objects.filter(pk=record.pk, intent_id="").update(
        intent_id=intent.id, client_secret=intent.client_secret
    )
    record.refresh_from_db()
    return record


def retrieve_intent(intent_id: str) -> dict:
    return _client().v1.payment_intents.retrieve(intent_id).to_dict()


def create_refund(*, intent_id: str, amount: Decimal, refund_id: int, idempotency_key: str) -> dict:
    """Refund part or all of a PaymentIntent; our refund's id rides along in the metadata so a webhook that
    arrives before we stored Stripe's refund id still finds it."""
    refund = _client().v1.refunds.create(
        params={"payment_intent": intent_id, "amount": to_minor_units(amount), "metadata": {"refund_id": refund_id}},
        options={"idempotency_key": idempotency_key},
    )
    return refund.to_dict()


def retrieve_refund(refund_id: str) -> dict:
    return _client().v1.refunds.retrieve(refund_id).to_dict()


def create_transfer(*, amount: Decimal, currency: str, destination: str, payout_id: int, idempotency_key: str) -> dict:
    """A transfer to an operator's or contributor's connected account (Stripe Connect). localstripe does not serve
    /v1/transfers: tests answer this call from a recorded Stripe response."""
    transfer = _client().v1.transfers.create(
        params={"amount": to_minor_units(amount), "currency": currency.lower(), "destination": destination,
                "metadata": {"payout_id": payout_id}},
        options={"idempotency_key": idempotency_key},
    )  # fmt: skip
    return transfer.to_dict()


def refunds_for_intent(intent_id: str) -> list[dict]:
    listed = _client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
    return [refund.to_dict() for refund in listed.data]


# --- Stripe Connect Express: an operator's own connected account ---------------------------------------------------
# localstripe serves none of these: tests answer them from recorded Stripe responses (tests/revenue/recorded/).


def create_express_account(*, email: str, country: str, name: str, ledger_account_id: int, idempotency_key: str):
    """An Express connected account that receives transfers from the shop (separate charges and transfers)."""
    account = _client().v1.accounts.create(
        params={"type": "express", "country": country, "email": email,
                "capabilities": {"transfers": {"requested": True}},
                "business_profile": {"name": name}, "metadata": {"ledger_account_id": ledger_account_id}},
        options={"idempotency_key": idempotency_key},
    )  # fmt: skip
    return account.to_dict()


def create_account_link(*, account_id: str, return_url: str, refresh_url: str) -> str:
    """A one-time link to Stripe's hosted onboarding for the account; it expires within minutes."""
    link = _client().v1.account_links.create(
        params={"account": account_id, "type": "account_onboarding", "return_url": return_url,
                "refresh_url": refresh_url},
    )  # fmt: skip
    return link.url


def retrieve_account(account_id: str) -> dict:
    return _client().v1.accounts.retrieve(account_id).to_dict()
