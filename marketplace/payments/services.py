"""Payments over Oscar's own records (Source, Transaction, PaymentEvent). An order becomes paid only from a
verified source: for the offline method, staff (or the one operator who sold every line) confirming that the bank
transfer arrived."""

import datetime
import json
import logging
import math
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.checkout.services import OFFLINE_SOURCE_CODE, payment_source_type
from marketplace.payments import billing
from marketplace.payments.models import WebhookEvent
from marketplace.payments.signals import account_updated, subscription_changed, subscription_invoice_paid

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")

money_log = logging.getLogger("marketplace.money")


def may_confirm_offline_payment(*, user, order) -> bool:
    """Staff, or the operator who sold every line of the order (a shared order's money is staff's to confirm)."""
    if user.is_staff:
        return True
    if not user.is_authenticated:
        return False
    lines = order.lines.all()
    return lines.exists() and not lines.exclude(partner__users=user).exists()


@transaction.atomic
def confirm_offline_payment(*, order_id: int, actor, reference: str = ""):
    """Record that the bank transfer for an order arrived: debit its source, add a 'Paid' payment event and move
    the order to Paid. Confirming again changes nothing."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if not may_confirm_offline_payment(user=actor, order=order):
        raise PermissionDenied("Only staff, or the operator who sold every line, can confirm this payment.")
    source = order.sources.select_for_update().filter(source_type__code=OFFLINE_SOURCE_CODE).first()
    if source is None:
        raise ValidationError("This order was not paid by bank transfer.")
    outstanding = source.amount_allocated - source.amount_debited
    if outstanding <= 0:
        return source  # already confirmed
    if order.status != "Pending":
        raise ValidationError(f"Order {order.number} is {order.status}; only a pending order can be paid.")
    _record_payment(order, source, outstanding, reference.strip()[:128] or f"bank transfer confirmed by {actor.email}")
    return source


def _record_payment(order, source, amount, reference: str) -> None:
    """Debit the source, add a 'Paid' payment event over every line and move the order to Paid (order locked)."""
    source.debit(amount, reference=reference)
    event = PaymentEvent.objects.create(
        order=order, amount=amount, reference=reference,
        event_type=PaymentEventType.objects.get_or_create(code="paid", defaults={"name": "Paid"})[0],
    )  # fmt: skip
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)
    order.set_status("Paid")  # Oscar's order_status_changed: what a paid order sets off (marketplace.orderflow)
    money_log.info(
        "payment order=%s amount=%s %s", order.number, amount, source.currency,
        extra={"event": "payment", "order": order.number, "amount": str(amount), "currency": source.currency,
               "method": source.source_type.code, "payment_event": event.pk},
    )  # fmt: skip


# --- Stripe webhooks --------------------------------------------------------------------------------------------

STRIPE_SOURCE_CODE = "stripe"


CARD_DATA_KEYS = frozenset({"cvc", "exp_month", "exp_year"})  # charges carry the card's expiry


def without_card_data(value):
    """Stripe's JSON without any card number, CVC or expiry (we never store those); last4 and brand stay."""
    if isinstance(value, dict):
        return {key: without_card_data(item) for key, item in value.items() if key not in CARD_DATA_KEYS}
    if isinstance(value, list):
        return [without_card_data(item) for item in value]
    return value


EVENT_ID = re.compile(r"evt_[A-Za-z0-9_]+")  # Stripe's event ids: evt_ and base62 (test-mode ids add _test_ parts)
EVENT_TYPE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")  # payment_intent.succeeded, customer.subscription.updated


EVENT_MAX_DEPTH = 32  # Stripe's events nest about ten levels deep
SURROGATE = re.compile("[\ud800-\udfff]")


def read_webhook_event(body: bytes) -> dict:
    """A verified webhook body read as strict JSON (RFC 8259, which is what Stripe sends), then checked for the
    shape every event has (``check_webhook_event``). Refused: NaN and Infinity, a number too large for a float, a
    lone surrogate (no UTF-8 text holds one; PostgreSQL cannot store it), a key given twice, nesting deeper than
    ``EVENT_MAX_DEPTH``."""
    try:
        payload = json.loads(
            body, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_once_each_key
        )
    except RecursionError:
        raise ValidationError("The event nests deeper than any Stripe event.") from None
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, and ours below
        raise ValidationError(f"The event is not strict JSON ({str(error)[:100]}).") from None
    _check_depth_and_text(payload)
    check_webhook_event(payload)
    return payload


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


def _once_each_key(pairs: list) -> dict:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is given twice")
    return dict(pairs)


def _check_depth_and_text(payload) -> None:
    pending = [(payload, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > EVENT_MAX_DEPTH:
            raise ValidationError("The event nests deeper than any Stripe event.")
        if isinstance(value, dict):
            pending += [(key, depth) for key in value] + [(item, depth + 1) for item in value.values()]
        elif isinstance(value, list):
            pending += [(item, depth + 1) for item in value]
        elif isinstance(value, str) and SURROGATE.search(value):
            raise ValidationError("The event holds a lone surrogate, which is no character.")


def check_webhook_event(payload) -> None:
    """An event is stored only if it has the shape every Stripe event has: an ``evt_`` id that fits our column, a
    dotted type, ``data.object`` (what the event is about), and no NUL character (PostgreSQL's jsonb cannot store
    one); anything else is refused before it is stored."""
    if not isinstance(payload, dict):
        raise ValidationError("An event is a JSON object.")
    event_id, kind, data = payload.get("id"), payload.get("type"), payload.get("data")
    id_length, type_length = (WebhookEvent._meta.get_field(name).max_length for name in ("event_id", "type"))
    if not isinstance(event_id, str) or len(event_id) > id_length or not EVENT_ID.fullmatch(event_id):
        raise ValidationError("An event needs a Stripe event id (evt_...).")
    if not isinstance(kind, str) or len(kind) > type_length or not EVENT_TYPE.fullmatch(kind):
        raise ValidationError("An event needs a type such as payment_intent.succeeded.")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise ValidationError("An event needs the object it is about (data.object).")
    if _holds_nul(payload):
        raise ValidationError("An event cannot hold a NUL character.")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def record_webhook_event(*, payload: dict) -> tuple[WebhookEvent, bool]:
    """Store a verified event of the right shape once, without card data; a duplicate delivery returns the stored
    one and False."""
    check_webhook_event(payload)
    stored, created = WebhookEvent.objects.get_or_create(
        event_id=payload["id"], defaults={"type": payload["type"], "payload": without_card_data(payload)}
    )
    if created:
        transaction.on_commit(lambda: _enqueue(stored.pk))
    return stored, created


def _enqueue(webhook_event_id: int) -> None:
    from marketplace.payments.tasks import process_webhook_event_task

    process_webhook_event_task.delay(webhook_event_id=webhook_event_id)


@transaction.atomic
def apply_succeeded_intent(*, intent: dict) -> str:
    """Pay the order whose Stripe source carries this intent, by what Stripe received; once."""
    if intent.get("status", "succeeded") != "succeeded":
        return f"not paid yet: {intent.get('status')}"
    source = Source.objects.select_for_update().filter(source_type__code=STRIPE_SOURCE_CODE, reference=intent["id"])
    source = source.first()
    if source is None:
        return "no order for this payment intent"
    order = Order.objects.select_for_update().get(pk=source.order_id)
    # Stripe's current API sends amount_received; older shapes (and localstripe) only amount, once succeeded.
    minor = intent["amount_received"] if "amount_received" in intent else intent["amount"]
    received = (Decimal(minor) / 100).quantize(Decimal("0.01"))
    if source.amount_debited >= source.amount_allocated or order.status != "Pending":
        return "already paid"
    if intent["currency"].upper() != source.currency.upper() or received != source.amount_allocated:
        return f"amount mismatch: received {received} {intent['currency']}"
    _record_payment(order, source, received, intent["id"])
    return "order paid"


def card_payment_source(*, order_number: str, amount, currency: str) -> Source:
    """An unsaved Stripe source for the order, referencing its (one) PaymentIntent."""
    from marketplace.payments import stripe_gateway

    intent = stripe_gateway.intent_for_order(order_number=order_number, amount=amount, currency=currency)
    source_type = payment_source_type(code=STRIPE_SOURCE_CODE, name="Card (Stripe)")
    return Source(source_type=source_type, currency=currency, amount_allocated=amount, reference=intent.intent_id)


def settle_from_stripe(*, order) -> str:
    """Ask Stripe, server side, whether the order's card payment succeeded (the browser's word is never enough)."""
    from marketplace.payments import stripe_gateway

    source = order.sources.filter(source_type__code=STRIPE_SOURCE_CODE).first()
    if source is None:
        return "not a card payment"
    return apply_succeeded_intent(intent=stripe_gateway.retrieve_intent(source.reference))


def _event_time(stored: WebhookEvent) -> datetime.datetime:
    """When Stripe created the event (its ``created``), or when we received it if that is not a sane timestamp."""
    try:
        return datetime.datetime.fromtimestamp(int(stored.payload.get("created")), tz=datetime.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return stored.received_at


REFUND_EVENTS = ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated")
SUBSCRIPTION_EVENTS = tuple(f"customer.subscription.{change}" for change in ("created", "updated", "deleted"))
# A subscription event no receiver answered is kept unapplied (processed_at empty) with this outcome, and applied
# again by ``apply_waiting_events``: a True Fans month Stripe was paid for is never dropped.
WAITING = "waiting: no one answered for this subscription yet"


def _subscription_outcome(signal, stored: WebhookEvent, values: dict | None) -> str | None:
    """Send what a subscription event says to the layers above; their answers are the outcome (None: nobody
    answered, the event waits)."""
    if values is None:
        return "not a subscription's invoice"
    answers = [answer for _, answer in signal.send(sender=WebhookEvent, as_of=_event_time(stored), **values)]
    answers = [str(answer) for answer in answers if answer]
    return "; ".join(answers)[: WebhookEvent._meta.get_field("outcome").max_length] or None


@transaction.atomic
def process_webhook_event(*, webhook_event_id: int) -> str:
    """Apply a stored event once. payment_intent.succeeded pays the order whose Stripe source has that intent, by
    the amount Stripe received; an order already paid (a late or repeated event) is left as it is. Refund events
    settle or fail our refund by Stripe's refund status, in whatever order they come. Subscription events (True Fans,
    ``billing``) are sent on as signals; one nobody answered waits, unapplied, for ``apply_waiting_events``."""
    stored = WebhookEvent.objects.select_for_update().get(pk=webhook_event_id)
    if stored.processed_at:
        return stored.outcome
    outcome = "ignored"
    obj = stored.payload["data"]["object"]
    if stored.type == "payment_intent.succeeded":
        outcome = apply_succeeded_intent(intent=obj)
    elif stored.type in REFUND_EVENTS:
        from marketplace.payments.refunds import apply_stripe_refund

        outcome = apply_stripe_refund(refund_object=obj)
    elif stored.type == "account.updated":  # an operator's connected account (Connect), sent to our Connect endpoint
        answers = account_updated.send(sender=WebhookEvent, account=obj, as_of=_event_time(stored))
        outcome = "; ".join(str(answer) for _, answer in answers) or "no one keeps connected accounts"
    elif stored.type == "charge.refunded":
        from marketplace.payments.refunds import apply_stripe_refund

        refunds = (obj.get("refunds") or {}).get("data") or []
        outcome = "; ".join(apply_stripe_refund(refund_object=refund) for refund in refunds) or "no refunds listed"
    elif stored.type == "invoice.paid":  # a True Fans month (Stripe Billing)
        outcome = _subscription_outcome(subscription_invoice_paid, stored, billing.invoice_paid(obj))
    elif stored.type == "invoice.payment_failed":
        outcome = _subscription_outcome(subscription_changed, stored, billing.payment_failed(obj))
    elif stored.type in SUBSCRIPTION_EVENTS:
        outcome = _subscription_outcome(subscription_changed, stored, billing.subscription_changed(obj))
    if outcome is None:
        stored.outcome = WAITING
        stored.save(update_fields=["outcome"])
        return WAITING
    stored.processed_at, stored.outcome = timezone.now(), outcome
    stored.save(update_fields=["processed_at", "outcome"])
    return outcome


WAITING_LOOKBACK = datetime.timedelta(days=30)


def apply_waiting_events(*, settle_for: datetime.timedelta = datetime.timedelta(minutes=5)) -> list[str]:
    """Apply again every stored event not yet applied (nobody answered it, or its task failed), each in its own
    transaction, oldest first; events younger than ``settle_for`` are left to their own task. Safe to run twice: an
    event is applied once (``process_webhook_event``)."""
    now = timezone.now()
    waiting = WebhookEvent.objects.filter(
        processed_at__isnull=True, received_at__lt=now - settle_for, received_at__gte=now - WAITING_LOOKBACK
    ).order_by("received_at", "pk")
    outcomes = []
    for event_id in waiting.values_list("pk", flat=True)[:500]:
        try:
            outcomes.append(process_webhook_event(webhook_event_id=event_id))
        except Exception:  # one event that fails must not hold up the others; it is tried again next time
            money_log.exception("webhook event %s could not be applied", event_id, extra={"event": "webhook_retry"})
    return outcomes
