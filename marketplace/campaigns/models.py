"""The pooled marketing fund at work: storefronts in the pool, the campaigns its members propose and staff approve,
what each campaign spent out of the pool (each spending a ledger entry), who takes part, and the orders a campaign
brought (by its referral code or its UTM parameters)."""

import html
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from catalog.richtext import render_markdown

# Short and unambiguous when read aloud or typed from a flyer: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
referral_code = RegexValidator(r"^[A-Z0-9]{4,16}$", _("Use 4 to 16 letters and digits, e.g. SOLAR26."))


class PoolMembership(models.Model):
    """A storefront in the marketing pool from ``joined_at`` until it leaves (``left_at``); joining again opens a new
    membership, so the history stays."""

    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.PROTECT, related_name="pool_memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-joined_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["storefront"], condition=models.Q(left_at__isnull=True),
                                    name="one_open_pool_membership"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.storefront} in the pool since {self.joined_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.left_at is None


class Campaign(models.Model):
    PROPOSED, APPROVED, REJECTED, FINISHED = "proposed", "approved", "rejected", "finished"
    STATUS_CHOICES = [(PROPOSED, _("Proposed")), (APPROVED, _("Approved")), (REJECTED, _("Rejected")),
                      (FINISHED, _("Finished"))]  # fmt: skip
    PUBLIC = (APPROVED, FINISHED)

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        _("story"), max_length=10000, help_text=_("What the campaign does and why: Markdown; HTML is sanitised.")
    )
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The most the campaign may spend from the pool."),
    )  # fmt: skip
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    referral_code = models.CharField(_("referral code"), max_length=16, unique=True, validators=[referral_code])
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PROPOSED, db_index=True)
    proposed_by = models.ForeignKey(
        "storefronts.Storefront", on_delete=models.PROTECT, related_name="proposed_campaigns"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="campaign_budget_positive"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_ends_after_it_starts"),
        ]  # fmt: skip

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:detail", kwargs={"slug": self.slug})

    @property
    def summary(self) -> str:
        """The story as plain text, for lists and excerpts (its Markdown rendered, then its tags dropped)."""
        return html.unescape(strip_tags(render_markdown(self.description))).strip()

    def runs_on(self, day) -> bool:
        """Approved, and ``day`` (a date) inside its dates: an order placed then is credited to it."""
        return self.status == self.APPROVED and self.starts_on <= day <= self.ends_on


class Participation(models.Model):
    """A pool member taking part in a campaign (every member when it is approved, and members who join while it
    runs); leaving the pool withdraws it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["storefront__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "storefront"], name="one_participation_per_campaign"),
        ]

    def __str__(self):
        return f"{self.storefront} in {self.campaign}"


class CampaignSpending(models.Model):
    """Money a campaign spent out of the marketing pool: booked in the ledger once, as ``campaign-spend:<pk>``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="spendings")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    paid_for = models.CharField(_("what it paid for"), max_length=200)
    spent_on = models.DateField(default=timezone.localdate)
    entry = models.OneToOneField(
        "revenue.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="campaign_spending_positive")]

    def __str__(self):
        return f"{self.campaign}: {self.amount} for {self.paid_for}"

    @property
    def reference(self) -> str:
        return f"campaign-spend:{self.pk}"


class OrderAttribution(models.Model):
    """The campaign that brought an order: the visitor followed its referral link, or a link tagged with its UTM
    parameters (last touch within 30 days wins). Once per order."""

    REFERRAL, UTM = "referral", "utm"
    HOW_CHOICES = [(REFERRAL, _("Referral code")), (UTM, _("UTM parameters"))]

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="campaign_attribution")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="attributions")
    how = models.CharField(max_length=16, choices=HOW_CHOICES)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    touched_at = models.DateTimeField(help_text=_("When the visitor arrived by the campaign's link."))
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_created", "-pk"]

    def __str__(self):
        return f"{self.order} by {self.campaign}"
