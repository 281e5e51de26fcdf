"""True Fans: supporters' monthly plans to a storefront (by card as Stripe subscriptions or by bank standing order),
each paid month split by the ledger, and operators' updates to their supporters."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# True Fans began as $10 a month for 24 months; the larger plans were added later. A plan counts in $10 units
# ("True Fansships"): a $30 plan is 3.
PLAN_AMOUNTS = (Decimal("10.00"), Decimal("20.00"), Decimal("30.00"), Decimal("50.00"), Decimal("100.00"))
UNIT = Decimal("10.00")
TERM_MONTHS = 24


class TrueFansOffer(models.Model):
    """A storefront's offer of True Fans plans: on when the operator opts in (and its tier allows it)."""

    storefront = models.OneToOneField(
        "storefronts.Storefront", on_delete=models.CASCADE, related_name="true_fans_offer"
    )
    enabled = models.BooleanField(_("offer True Fans plans"), default=False)
    pitch = models.CharField(
        _("pitch"),
        max_length=500,
        blank=True,
        help_text=_("A few plain words to supporters: what their month pays for."),
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("True Fans offer")

    def __str__(self):
        return f"True Fans of {self.storefront}"


class Support(models.Model):
    """A supporter's monthly plan to one storefront."""

    CARD, BANK = "card", "bank"
    METHOD_CHOICES = [(CARD, _("Card (monthly subscription)")), (BANK, _("Bank standing order"))]
    PENDING, ACTIVE, PAST_DUE, ENDING, ENDED = "pending", "active", "past_due", "ending", "ended"
    STATUS_CHOICES = [
        (PENDING, _("Waiting for the first payment")),
        (ACTIVE, _("Active")),
        (PAST_DUE, _("Payment overdue")),
        (ENDING, _("Cancelled, ends after the month paid")),
        (ENDED, _("Ended")),
    ]
    LIVE = (PENDING, ACTIVE, PAST_DUE, ENDING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports")
    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.PROTECT, related_name="supports")
    amount = models.DecimalField(_("monthly amount"), max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=12)
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), null=True, blank=True, help_text=_("24, or empty for no fixed term")
    )
    method = models.CharField(_("method"), max_length=8, choices=METHOD_CHOICES)
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    start_date = models.DateField(_("start date"))
    next_due_date = models.DateField(_("next due date"), null=True, blank=True)
    stripe_customer_id = models.CharField(max_length=64, blank=True)
    stripe_subscription_id = models.CharField(max_length=64, blank=True)
    bank_reference = models.CharField(_("standing order reference"), max_length=32, blank=True)
    updates_opt_out = models.BooleanField(_("no updates by e-mail"), default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # when Stripe said the subscription's status last (its events come in any order: the newest word is kept)
    status_as_of = models.DateTimeField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_created"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "storefront"], condition=~Q(status="ended"), name="one_live_support_per_storefront"
            ),
            models.UniqueConstraint(
                fields=["stripe_subscription_id"], condition=~Q(stripe_subscription_id=""), name="one_support_per_sub"
            ),
            models.UniqueConstraint(
                fields=["bank_reference"], condition=~Q(bank_reference=""), name="unique_support_bank_reference"
            ),
            models.CheckConstraint(condition=Q(amount__in=PLAN_AMOUNTS), name="support_amount_is_a_plan"),
            models.CheckConstraint(
                condition=Q(term_months__isnull=True) | Q(term_months=TERM_MONTHS), name="support_term_24_or_none"
            ),
        ]

    def __str__(self):
        return f"{self.amount}/month to {self.storefront}"

    @property
    def units(self) -> int:
        """True Fansships: the plan in $10 units."""
        return int(self.amount // UNIT)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class SupportMonth(models.Model):
    """One paid month of a support, booked in the ledger as ``support:<pk>``."""

    support = models.ForeignKey(Support, on_delete=models.PROTECT, related_name="months")
    period_start = models.DateField(_("month starting"))
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=12)
    paid_at = models.DateTimeField(_("paid at"))
    method = models.CharField(max_length=8, choices=Support.METHOD_CHOICES)
    stripe_invoice_id = models.CharField(max_length=64, blank=True)
    bank_reference = models.CharField(max_length=32, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["support", "period_start"], name="one_paid_month_per_period"),
            models.UniqueConstraint(
                fields=["stripe_invoice_id"], condition=~Q(stripe_invoice_id=""), name="one_month_per_invoice"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="support_month_positive"),
        ]

    def __str__(self):
        return f"{self.support} — {self.period_start:%B %Y}"

    @property
    def reference(self) -> str:
        return f"support:{self.pk}"


class MissedMonthReminder(models.Model):
    """A reminder sent for a standing order's month that did not arrive: one per (support, due date)."""

    support = models.ForeignKey(Support, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["support", "due_date"], name="one_reminder_per_due_month")]


class SupporterUpdate(models.Model):
    """An operator's update to its supporters (Markdown, sanitised when shown)."""

    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.CASCADE, related_name="supporter_updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("body"), max_length=10000, help_text=_("Markdown; HTML is sanitised."))
    date_created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created"]

    def __str__(self):
        return self.subject


class UpdateDelivery(models.Model):
    """One supporter's copy of an update."""

    update = models.ForeignKey(SupporterUpdate, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["update", "user"], name="one_delivery_per_supporter")]
