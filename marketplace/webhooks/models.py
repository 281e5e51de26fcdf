"""Webhooks out to operators: the URLs an operator registers (endpoints), what happened to its storefront (events),
and each event's delivery to each endpoint, with every attempt logged."""

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

PART_PAID, PART_REFUNDED, OFFER_OUT_OF_STOCK, TEST = "part.paid", "part.refunded", "offer.out_of_stock", "test"
EVENT_TYPES = [
    (PART_PAID, _("part.paid — your part of an order is paid: prepare and ship it")),
    (PART_REFUNDED, _("part.refunded — money of your part went back to the shopper")),
    (OFFER_OUT_OF_STOCK, _("offer.out_of_stock — an offer of yours has no stock left")),
]
ALL_TYPES = [*(code for code, _label in EVENT_TYPES), TEST]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """A URL of the operator's own system that receives the storefront's events, signed with its own secret."""

    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80, default=new_secret)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.url


class Event(models.Model):
    """Something that happened to a storefront, as its endpoints receive it: the same id on every attempt and
    replay. ``key`` says what it is about (a part paid once, a refund once), so emitting it twice writes one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=40, choices=[*EVENT_TYPES, (TEST, _("test"))])
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.public_id} {self.type}"

    @property
    def public_id(self) -> str:
        return f"evt_{self.uuid.hex}"


class Delivery(models.Model):
    """One event to one endpoint. Claimed by a conditional update before each attempt (PENDING → SENDING), so two
    workers never send the same attempt and a delivered one is never sent again unless the operator asks."""

    PENDING, SENDING, DELIVERED, FAILED = "pending", "sending", "delivered", "failed"
    STATUS_CHOICES = [(PENDING, _("Waiting to be sent")), (SENDING, _("Sending")), (DELIVERED, _("Delivered")),
                      (FAILED, _("Failed"))]  # fmt: skip

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)  # failed attempts in a row: the backoff's step
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replayed_at = models.DateTimeField(null=True, blank=True)
    replay_pending = models.BooleanField(default=False)  # the next attempt is the operator's "Send again"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_event_endpoint")]

    def __str__(self):
        return f"{self.public_id} {self.status}"

    @property
    def public_id(self) -> str:
        return f"dlv_{self.uuid.hex}"


class Attempt(models.Model):
    """One try at sending a delivery: what was sent and what came back (a bounded excerpt)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    manual = models.BooleanField(default=False)  # the operator's "Send again"
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    url = models.CharField(max_length=500)
    request_headers = models.JSONField(default=dict)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-number", "-pk"]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"
