"""Reconciliation with Stripe, for when a webhook never arrives: card orders still Pending whose PaymentIntent
succeeded, and card refunds still pending that Stripe has settled, are completed through the services a webhook uses,
from what Stripe says when asked server side. What is already in step is left alone, so running twice changes
nothing."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import stripe
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payments import services, stripe_gateway
from marketplace.payments.models import Refund
from marketplace.payments.refunds import apply_stripe_refund

Order = get_model("order", "Order")
money_log = logging.getLogger("marketplace.money")

# Older unpaid card orders are left alone: an intent nobody confirmed within a week is abandoned, not delayed.
LOOKBACK = timedelta(days=7)
SETTLED_REFUND = ("refunded", "refund failed")


@dataclass
class Reconciliation:
    paid: list[str] = field(default_factory=list)  # order numbers paid now
    refunds: list[str] = field(default_factory=list)  # refunds settled (or failed) now
    unresolved: list[str] = field(default_factory=list)  # what Stripe could not answer, or disagrees with us on

    @property
    def changed(self) -> bool:
        return bool(self.paid or self.refunds)

    def lines(self) -> list[str]:
        return (
            [f"order {number} paid" for number in self.paid]
            + self.refunds
            + [f"not reconciled: {problem}" for problem in self.unresolved]
        )


def reconcile_payments(*, since: datetime | None = None) -> Reconciliation:
    """Complete the card payments and refunds Stripe has settled but whose webhook we never got (each once)."""
    report = Reconciliation()
    if not stripe_gateway.is_configured():
        return report
    pending = Order.objects.filter(
        status="Pending",
        date_placed__gte=since or timezone.now() - LOOKBACK,
        sources__source_type__code=services.STRIPE_SOURCE_CODE,
    )
    for order in pending.distinct().order_by("pk"):
        try:
            outcome = services.settle_from_stripe(order=order)
        except stripe.StripeError as error:
            report.unresolved.append(f"order {order.number}: Stripe answered {error.__class__.__name__}")
            continue
        if outcome == "order paid":
            report.paid.append(order.number)
        elif outcome.startswith("amount mismatch"):
            report.unresolved.append(f"order {order.number}: {outcome}")
    waiting = Refund.objects.filter(method=Refund.STRIPE, status=Refund.PENDING).select_related("order")
    for refund in waiting.order_by("pk"):
        try:
            stripe_refund = _stripe_refund(refund)
        except stripe.StripeError as error:
            report.unresolved.append(f"refund {refund.pk}: Stripe answered {error.__class__.__name__}")
            continue
        if stripe_refund is None:
            continue  # Stripe has not got it yet: its submit task (retried, idempotent) sends it
        outcome = apply_stripe_refund(refund_object=stripe_refund)
        if outcome in SETTLED_REFUND:
            report.refunds.append(f"refund {refund.pk} of order {refund.order.number}: {outcome}")
        elif outcome == "amount mismatch":
            report.unresolved.append(f"refund {refund.pk} of order {refund.order.number}: {outcome}")
    if report.changed or report.unresolved:
        money_log.info("reconciliation: %s", "; ".join(report.lines()),
                       extra={"event": "reconciliation", "paid": len(report.paid), "refunds": len(report.refunds),
                              "unresolved": len(report.unresolved)})  # fmt: skip
    return report


def _stripe_refund(refund: Refund) -> dict | None:
    """Stripe's refund for ours: by its id, or (when its answer to our call was lost) by our id in its metadata."""
    if refund.stripe_refund_id:
        return stripe_gateway.retrieve_refund(refund.stripe_refund_id)
    intent_id = refund.order.sources.get(source_type__code=services.STRIPE_SOURCE_CODE).reference
    return next(
        (found for found in stripe_gateway.refunds_for_intent(intent_id)
         if str((found.get("metadata") or {}).get("refund_id")) == str(refund.pk)),
        None,
    )  # fmt: skip
