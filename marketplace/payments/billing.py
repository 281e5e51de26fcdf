"""Stripe Billing for True Fans: a Product, a monthly Price per amount and currency (each created once), a Customer
and a Subscription per supporter, and what Stripe's subscription and invoice events say, read into plain values.

The shop asks Stripe for a subscription that waits for its first payment (``default_incomplete``); the supporter
pays its first invoice with Stripe.js (the ``client_secret`` of that invoice's PaymentIntent), and Stripe charges
the card each month after. Whether a month is paid is Stripe's word only: the ``invoice.paid`` event, stored once and
applied by a worker (``services.process_webhook_event``), sent on as ``signals.subscription_invoice_paid``.

Objects are read in the shape of the library's pinned API version (an invoice's subscription under
``parent.subscription_details``, its first payment's secret as ``confirmation_secret``, the period on the
subscription's item) and in the older shape too (``invoice.subscription``, ``latest_invoice.payment_intent``,
``subscription.current_period_end``), so an event Stripe signed for an endpoint on an older version reads the same.
localstripe serves none of Billing: tests answer these calls from recorded Stripe responses (tests/payments/recorded/).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from marketplace.payments import stripe_gateway
from marketplace.payments.models import BillingPrice

PRODUCT_NAME = "True Fans"
INTERVAL = "month"


def is_configured() -> bool:
    """Stripe's keys and webhook secret are set (the same keys as card checkout)."""
    return stripe_gateway.is_configured()


@dataclass(frozen=True)
class Subscription:
    id: str
    customer_id: str
    status: str  # Stripe's: incomplete, active, past_due, canceled, ...
    client_secret: str  # the first invoice's PaymentIntent's, for Stripe.js; empty once nothing is left to pay
    current_period_end: datetime.datetime | None


def price_for(*, amount: Decimal, currency: str) -> BillingPrice:
    """The monthly Price for this amount and currency (and the True Fans Product), created at Stripe once."""
    amount, currency = Decimal(amount).quantize(Decimal("0.01")), currency.upper()
    if amount <= 0:
        raise ValueError("A monthly price must be more than zero.")
    with transaction.atomic():
        record, _ = BillingPrice.objects.select_for_update().get_or_create(
            product_name=PRODUCT_NAME, amount=amount, currency=currency, interval=INTERVAL
        )
        if record.price_id:
            return record
    client = stripe_gateway._client()
    product_id = record.product_id or _product_id(client)
    price = client.v1.prices.create(
        params={"product": product_id, "unit_amount": stripe_gateway.to_minor_units(amount),
                "currency": currency.lower(), "recurring": {"interval": INTERVAL},
                "nickname": f"{PRODUCT_NAME} {amount} {currency} a month"},
        options={"idempotency_key": record.idempotency_key},
    )  # fmt: skip
    BillingPrice.objects.filter(pk=record.pk, price_id="").update(product_id=product_id, price_id=price.id)
    record.refresh_from_db()
    return record


def _product_id(client) -> str:
    """The True Fans Product: the one a price already names, or a new one (the same one for a retry)."""
    known = (
        BillingPrice.objects.filter(product_name=PRODUCT_NAME)
        .exclude(product_id="")
        .values_list("product_id", flat=True)
        .first()
    )
    if known:
        return known
    product = client.v1.products.create(
        params={"name": PRODUCT_NAME, "metadata": {"shop_product": "true-fans"}},
        options={"idempotency_key": "oss-billing-product-true-fans"},
    )
    BillingPrice.objects.filter(product_name=PRODUCT_NAME, product_id="").update(product_id=product.id)
    return product.id


def _request_key(**values) -> str:
    """The same request (same supporter, plan and metadata) gets the same idempotency keys: a retried or
    double-clicked signup reuses the Customer and Subscription Stripe already made (Stripe keeps keys 24 hours)."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]


def start_subscription(
    *, email: str, name: str, amount: Decimal, currency: str, months: int | None, metadata: dict
) -> Subscription:
    """A Customer and a monthly Subscription to the True Fans price for ``amount``, waiting for its first payment
    (Stripe.js confirms the first invoice with ``client_secret``). With ``months`` (24 for the original True Fans
    term) Stripe cancels it that many months from now, after the last month is paid."""
    if months is not None and not 0 < months <= 120:
        raise ValueError("A term is between 1 and 120 months, or none.")
    metadata = {str(key): str(value) for key, value in metadata.items()}
    price = price_for(amount=amount, currency=currency)
    key = _request_key(email=email.lower(), amount=price.amount, currency=price.currency, months=months,
                       metadata=metadata)  # fmt: skip
    client = stripe_gateway._client()
    customer = client.v1.customers.create(
        params={"email": email, "name": name[:256], "metadata": metadata},
        options={"idempotency_key": f"oss-billing-customer-{key}"},
    )
    params = {
        "customer": customer.id,
        "items": [{"price": price.price_id}],
        "payment_behavior": "default_incomplete",
        "payment_settings": {"save_default_payment_method": "on_subscription"},
        "expand": ["latest_invoice.confirmation_secret"],
        "metadata": metadata,
    }
    if months:
        # whole months from today: the last period ends exactly then, so nothing is prorated
        params["cancel_at"] = int((timezone.now() + relativedelta(months=months)).timestamp())
        params["proration_behavior"] = "none"
    subscription = client.v1.subscriptions.create(
        params=params, options={"idempotency_key": f"oss-billing-subscription-{key}"}
    )
    return _subscription(subscription.to_dict())


def _subscription(obj: dict) -> Subscription:
    invoice = obj.get("latest_invoice")
    secret = ""
    if isinstance(invoice, dict):
        confirmation = invoice.get("confirmation_secret") or {}
        intent = invoice.get("payment_intent")
        secret = confirmation.get("client_secret") or (intent.get("client_secret") if isinstance(intent, dict) else "")
    customer = obj.get("customer")
    return Subscription(
        id=obj["id"],
        customer_id=customer.get("id", "") if isinstance(customer, dict) else customer or "",
        status=obj.get("status", ""),
        client_secret=secret or "",
        current_period_end=current_period_end(obj),
    )


def cancel_subscription(*, subscription_id: str, at_period_end: bool = True) -> str:
    """Stop a subscription: after the month already paid (the default), or now. Answers Stripe's new status."""
    client = stripe_gateway._client()
    if at_period_end:
        subscription = client.v1.subscriptions.update(
            subscription_id,
            params={"cancel_at_period_end": True},
            options={"idempotency_key": f"oss-billing-cancel-{subscription_id}-at-period-end"},
        )
    else:
        subscription = client.v1.subscriptions.cancel(subscription_id)
    return subscription.status


# --- Reading Stripe's objects (from events) ----------------------------------------------------------------------


def _time(value) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC) if value is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def current_period_end(subscription: dict) -> datetime.datetime | None:
    """When the month paid ends: on the subscription's item (Stripe's current shape) or the subscription."""
    items = (subscription.get("items") or {}).get("data") or []
    ends = [item.get("current_period_end") for item in items if isinstance(item, dict)]
    ends = [end for end in ends if isinstance(end, int)] or [subscription.get("current_period_end")]
    return _time(min(ends) if None not in ends else None)


def invoice_subscription(invoice: dict) -> tuple[str, dict]:
    """The subscription an invoice was made for, and that subscription's metadata as the invoice keeps it; ("", {})
    for an invoice that is not a subscription's."""
    details = (invoice.get("parent") or {}).get("subscription_details") or invoice.get("subscription_details") or {}
    subscription = details.get("subscription") or invoice.get("subscription") or ""
    if isinstance(subscription, dict):
        subscription = subscription.get("id", "")
    metadata = details.get("metadata") or {}
    return str(subscription), {str(key): str(value) for key, value in metadata.items()}


def invoice_paid(invoice: dict) -> dict | None:
    """What ``signals.subscription_invoice_paid`` says about a paid subscription invoice; None for another invoice."""
    subscription_id, metadata = invoice_subscription(invoice)
    if not subscription_id:
        return None
    lines = [line for line in (invoice.get("lines") or {}).get("data") or [] if isinstance(line, dict)]
    periods = [line.get("period") or {} for line in lines]
    start = _time(min((p["start"] for p in periods if "start" in p), default=None) or invoice.get("period_start"))
    end = _time(max((p["end"] for p in periods if "end" in p), default=None) or invoice.get("period_end"))
    paid_at = _time((invoice.get("status_transitions") or {}).get("paid_at")) or _time(invoice.get("created"))
    return {
        "subscription_id": subscription_id,
        "invoice_id": invoice["id"],
        "amount": (Decimal(int(invoice.get("amount_paid", 0))) / 100).quantize(Decimal("0.01")),
        "currency": str(invoice.get("currency", "")).upper(),
        "paid_at": paid_at,
        "period_start": start,
        "period_end": end,
        "metadata": metadata,
    }


def subscription_changed(subscription: dict) -> dict:
    """What ``signals.subscription_changed`` says about a subscription in a ``customer.subscription.*`` event."""
    return {
        "subscription_id": subscription["id"],
        "status": str(subscription.get("status", "")),
        "cancel_at": _time(subscription.get("cancel_at")),
        "current_period_end": current_period_end(subscription),
        "metadata": {str(key): str(value) for key, value in (subscription.get("metadata") or {}).items()},
    }


def payment_failed(invoice: dict) -> dict | None:
    """A subscription's invoice that could not be charged: the subscription is past due (Stripe retries)."""
    subscription_id, metadata = invoice_subscription(invoice)
    if not subscription_id:
        return None
    line_ends = [(line.get("period") or {}).get("end") for line in (invoice.get("lines") or {}).get("data") or []]
    return {
        "subscription_id": subscription_id,
        "status": "past_due",
        "cancel_at": None,
        "current_period_end": _time(next((end for end in line_ends if end), None) or invoice.get("period_end")),
        "metadata": metadata,
    }
