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
