"""Each operator's part of an order: its lines, its own shipping charge and its own status."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class OperatorOrder(models.Model):
    AWAITING_PAYMENT, TO_FULFIL, SHIPPED, COMPLETE, CANCELLED = (
        "awaiting_payment", "to_fulfil", "shipped", "complete", "cancelled",
    )  # fmt: skip
    STATUS_CHOICES = [
        (AWAITING_PAYMENT, _("Awaiting payment")),
        (TO_FULFIL, _("Paid, being prepared")),
        (SHIPPED, _("Shipped")),
        (COMPLETE, _("Delivered")),
        (CANCELLED, _("Cancelled")),
    ]
    # What an operator may move its part to, from each status; payment and cancellation are the shop's.
    OPERATOR_TRANSITIONS = {TO_FULFIL: (SHIPPED, COMPLETE), SHIPPED: (COMPLETE,)}

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="operator_orders")
    partner = models.ForeignKey("partner.Partner", on_delete=models.PROTECT, related_name="operator_orders")
    shipping_charge = models.DecimalField(
        _("shipping charge"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )  # fmt: skip
    needs_shipping = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=AWAITING_PAYMENT, db_index=True)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    operator_notified_at = models.DateTimeField(null=True, blank=True)
    shopper_notified_at = models.DateTimeField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "partner"], name="one_part_per_operator_per_order"),
            models.CheckConstraint(condition=models.Q(shipping_charge__gte=0), name="operator_shipping_not_negative"),
        ]

    def __str__(self):
        return f"{self.order.number} / {self.partner}"

    @property
    def lines(self):
        return self.order.lines.filter(partner_id=self.partner_id)


class OperatorOrderEvent(models.Model):
    """Audit trail of an operator's part: who moved it to which status, and why."""

    operator_order = models.ForeignKey(OperatorOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, choices=OperatorOrder.STATUS_CHOICES)
    note = models.CharField(max_length=255, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_created", "pk"]


class LineFulfilment(models.Model):
    """How far the delivery of one order line has got, by its level: a shipment (physical goods and microfactory
    kits), a download (digital goods), seats (training) or a distribution licence. A failed attempt keeps its error
    for staff."""

    SHIPMENT, DOWNLOAD, ENROLMENT, LICENCE, SERVICE = "shipment", "download", "enrolment", "licence", "service"
    KIND_CHOICES = [(SHIPMENT, _("Shipment")), (DOWNLOAD, _("Download")), (ENROLMENT, _("Enrolment")),
                    (LICENCE, _("Distribution licence")), (SERVICE, _("Service on a unit"))]  # fmt: skip
    PENDING, AWAITING_SHIPMENT, SHIPPED, DONE, FAILED = "pending", "awaiting_shipment", "shipped", "done", "failed"
    STATE_CHOICES = [(PENDING, _("Pending")), (AWAITING_SHIPMENT, _("Awaiting shipment")), (SHIPPED, _("Shipped")),
                     (DONE, _("Delivered")), (FAILED, _("Failed"))]  # fmt: skip

    line = models.OneToOneField("order.Line", on_delete=models.CASCADE, related_name="fulfilment")
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default=PENDING, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    date_updated = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.line}: {self.kind} {self.state}"


class Enrolment(models.Model):
    """One seat of a training (level 2): seats are the training's stock."""

    line = models.ForeignKey("order.Line", on_delete=models.PROTECT, related_name="enrolments")
    seat = models.PositiveIntegerField()
    participant_email = models.EmailField()
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["line", "seat"]
        constraints = [models.UniqueConstraint(fields=["line", "seat"], name="one_enrolment_per_seat")]

    def __str__(self):
        return f"Seat {self.seat} of {self.line}"


class DistributionLicence(models.Model):
    """A level 3 licence to distribute a design by mass production, under the OSE Certified brand. Its number
    carries a check code and the record a signature, so the public page can tell genuine, unknown and tampered."""

    number = models.CharField(max_length=40, unique=True)
    line = models.OneToOneField("order.Line", on_delete=models.PROTECT, related_name="licence")
    licensee = models.CharField(max_length=255)
    licensee_email = models.EmailField()
    design = models.ForeignKey("catalogue.Design", on_delete=models.PROTECT, related_name="distribution_licences")
    design_version = models.CharField(max_length=32)
    terms = models.TextField()
    issued_at = models.DateTimeField()
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("fulfilment:licence", kwargs={"number": self.number})
