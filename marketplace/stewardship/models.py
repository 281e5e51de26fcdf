"""Repair, upgrade and take-back of the units operators made: the owner's requests, where each went and why, the
operators who declined, ownership passed on, the materials a take-back recovered and the credit it earned."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

Condition = get_model("offer", "Condition")

MAX_KG = Decimal("100000")  # a house's worth of material, per stream
MAX_QUOTE = Decimal("100000.00")


class ServiceRequest(models.Model):
    REPAIR, UPGRADE, TAKE_BACK = "repair", "upgrade", "take_back"
    KIND_CHOICES = [(REPAIR, _("Repair")), (UPGRADE, _("Upgrade")), (TAKE_BACK, _("Take-back"))]
    OPEN, ACCEPTED, CLOSED, CANCELLED = "open", "accepted", "closed", "cancelled"
    STATUS_CHOICES = [
        (OPEN, _("Waiting for the operator")),
        (ACCEPTED, _("Accepted")),
        (CLOSED, _("Done")),
        (CANCELLED, _("Cancelled")),
    ]
    LIVE = (OPEN, ACCEPTED)
    HOLDER, SELLER, NOBODY = "holder", "seller", "nobody"
    ROUTE_CHOICES = [
        (HOLDER, _("nearest holder of the OSE Certified mark")),
        (SELLER, _("nearest seller of the design")),
        (NOBODY, _("no storefront found: the shop's staff will find one")),
    ]

    unit = models.ForeignKey("lifecycle.Unit", on_delete=models.PROTECT, related_name="service_requests")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_requests")
    kind = models.CharField(_("what you need"), max_length=10, choices=KIND_CHOICES)
    description = models.TextField(_("description"), max_length=2000)
    location = models.CharField(_("where the unit is"), max_length=100)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    storefront = models.ForeignKey(
        "storefronts.Storefront", null=True, blank=True, on_delete=models.PROTECT, related_name="service_requests"
    )
    route = models.CharField(max_length=8, choices=ROUTE_CHOICES, default=NOBODY)
    distance_km = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=OPEN, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    quote_amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2, null=True, blank=True)
    quote_covers = models.TextField(_("what it covers"), max_length=1000, blank=True)
    quote_offer = models.OneToOneField(
        "partner.StockRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="service_request"
    )
    paid_order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="service_requests"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("what was done"), max_length=2000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(status__in=("open", "accepted")), name="one_live_request_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(quote_amount__isnull=True) | Q(quote_amount__gt=0, quote_amount__lte=MAX_QUOTE),
                name="service_quote_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.unit_id} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def awaits_payment(self) -> bool:
        return self.quote_amount is not None and self.paid_at is None


class Decline(models.Model):
    """An operator said no to a request: the request moved on to the next nearest, never back to this one."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="declines")
    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_created", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "storefront"], name="one_decline_per_storefront")]

    def __str__(self):
        return f"{self.storefront_id} declined {self.request_id}"


class RecoveredMaterial(models.Model):
    """Kilograms of one material stream a take-back recovered."""

    STEEL, ALUMINIUM, OTHER_METALS, PLASTICS, ORGANICS, CERAMICS = (
        "steel", "aluminium", "other_metals", "plastics", "organics", "ceramics",
    )  # fmt: skip
    STREAM_CHOICES = [
        (STEEL, _("Steel")),
        (ALUMINIUM, _("Aluminium")),
        (OTHER_METALS, _("Other metals")),
        (PLASTICS, _("Plastics")),
        (ORGANICS, _("Organics")),
        (CERAMICS, _("Ceramics")),
    ]

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="materials")
    stream = models.CharField(max_length=16, choices=STREAM_CHOICES)
    kg = models.DecimalField(
        max_digits=9, decimal_places=3, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_KG)]
    )

    class Meta:
        ordering = ["request", "stream"]
        constraints = [
            models.UniqueConstraint(fields=["request", "stream"], name="one_row_per_stream"),
            models.CheckConstraint(condition=Q(kg__gte=0, kg__lte=MAX_KG), name="recovered_kg_in_range"),
        ]

    def __str__(self):
        return f"{self.kg} kg {self.stream}"


class TakeBackCredit(models.Model):
    """The credit a closed take-back earned its owner: one voucher, booked once per request."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.PROTECT, related_name="credit")
    voucher = models.OneToOneField("voucher.Voucher", on_delete=models.PROTECT, related_name="take_back_credit")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="take_back_credits")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_created"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_positive")]

    def __str__(self):
        return f"{self.amount} for {self.request_id}"


class Transfer(models.Model):
    """An owner passed a unit on: the link e-mailed to the new owner's address, and who claimed it, when."""

    unit = models.ForeignKey("lifecycle.Unit", on_delete=models.CASCADE, related_name="transfers")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to_email = models.EmailField()
    expires_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_created", "-pk"]

    def __str__(self):
        return f"{self.unit_id} transfer {self.pk}"


class OwnersCredit(Condition):
    """A take-back credit's condition: only its owner's basket, with something in it, may use the voucher."""

    name = "Take-back credit: its owner's basket"

    class Meta:
        proxy = True
        app_label = "stewardship"

    @property
    def description(self):
        return self.name

    def is_satisfied(self, offer, basket):
        if not basket.num_items or not basket.owner_id:
            return False
        return TakeBackCredit.objects.filter(voucher__offers=offer, owner_id=basket.owner_id).exists()

    def is_partially_satisfied(self, offer, basket):
        return False

    def consume_items(self, offer, basket, affected_lines):
        pass
