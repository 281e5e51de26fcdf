from django.conf import settings
from django.db import models


class WebhookEvent(models.Model):
    """Every verified payment-provider event, stored once (its id is unique forever) before it is answered."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.event_id}"


class StripeIntent(models.Model):
    """Our record of an order's PaymentIntent, written before Stripe is called: its order number is the
    idempotency key, so a retried checkout reuses the intent instead of charging twice."""

    order_number = models.CharField(max_length=128, unique=True)
    intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    client_secret = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    date_created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.order_number}: {self.intent_id or 'not yet created'}"

    @property
    def idempotency_key(self) -> str:
        return f"oss-order-{self.order_number}-payment-intent"


class Refund(models.Model):
    """Money given back for one operator's part of an order: whole lines or part of their amount, and optionally
    its shipping charge. A card refund is pending until Stripe confirms it; a bank-transfer refund is recorded by the
    person who sent the money back."""

    STRIPE, OFFLINE = "stripe", "offline"
    PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"
    STATUS_CHOICES = [(PENDING, "Pending"), (SUCCEEDED, "Refunded"), (FAILED, "Failed")]

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="refunds")
    operator_order = models.ForeignKey("fulfilment.OperatorOrder", on_delete=models.PROTECT, related_name="refunds")
    method = models.CharField(max_length=16, choices=[(STRIPE, "Card (Stripe)"), (OFFLINE, "Bank transfer")])
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True, db_index=True)
    failure = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    date_created = models.DateTimeField(auto_now_add=True)
    date_settled = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=models.Q(shipping_amount__gte=0), name="refund_shipping_not_negative"),
        ]

    def __str__(self):
        return f"Refund {self.pk} of {self.amount} {self.currency} on {self.order_id}"

    @property
    def idempotency_key(self) -> str:
        return f"oss-refund-{self.pk}"


class RefundLine(models.Model):
    """How much of a refund goes back against one order line."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("order.Line", on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="one_refund_line_per_line"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="refund_line_not_negative"),
        ]


class BillingPrice(models.Model):
    """A Stripe Billing Price for one monthly amount in one currency, and the Product it prices, created once (our
    row is written before Stripe is called: its key is the idempotency key, so a retry reuses what Stripe made)."""

    product_name = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    interval = models.CharField(max_length=8, default="month")
    product_id = models.CharField(max_length=255, blank=True)
    price_id = models.CharField(max_length=255, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product_name", "amount", "currency", "interval"], name="one_billing_price_per_amount"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_price_positive"),
        ]

    def __str__(self):
        return f"{self.product_name}: {self.amount} {self.currency}/{self.interval}"

    @property
    def idempotency_key(self) -> str:
        cents = int(self.amount * 100)
        return f"oss-billing-price-{self.product_name.lower().replace(' ', '-')}-{cents}-{self.currency.lower()}"
