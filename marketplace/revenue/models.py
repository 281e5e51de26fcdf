"""A double-entry ledger. Every journal entry is a set of postings that sum to zero; entries are never edited or
deleted (a correction is a new entry). Sign: a positive posting credits the account (the shop owes its holder
more); the clearing account holds the shop's side of every entry."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.money.policy import PERCENT, AllocationPolicy  # noqa: F401 - the ledger names the policy it used


class Account(models.Model):
    OPERATOR, CONTRIBUTOR = "operator", "contributor"
    CAMPUS_FUND, MARKETING_POOL, PAYMENT_FEES, CLEARING = "campus_fund", "marketing_pool", "payment_fees", "clearing"
    KIND_CHOICES = [
        (OPERATOR, _("Operator")),
        (CONTRIBUTOR, _("Contributor royalties")),
        (CAMPUS_FUND, _("Campus fund")),
        (MARKETING_POOL, _("Marketing pool")),
        (PAYMENT_FEES, _("Payment fees")),
        (CLEARING, _("Shop clearing")),
    ]
    SHARED = (CAMPUS_FUND, MARKETING_POOL, PAYMENT_FEES, CLEARING)

    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    partner = models.OneToOneField("partner.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="ledger_account")  # fmt: skip
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="royalty_account")  # fmt: skip
    name = models.CharField(max_length=150)
    stripe_account_id = models.CharField(_("Stripe connected account"), max_length=64, blank=True)
    # The connected account's state as Stripe last told it (its account.updated event, or our own read on the
    # onboarding's return): transfers go to it only once its transfers capability is active.
    stripe_transfers_active = models.BooleanField(_("Stripe can receive transfers"), default=False)
    stripe_details_submitted = models.BooleanField(_("Stripe onboarding submitted"), default=False)
    stripe_requirements = models.JSONField(_("what Stripe still needs"), default=list, blank=True)
    stripe_state_at = models.DateTimeField(_("Stripe state as of"), null=True, blank=True)
    # Where a payout by hand goes: the operator's own bank details, as it gave them on its revenue page.
    payout_holder = models.CharField(_("account holder"), max_length=150, blank=True)
    payout_details = models.CharField(_("IBAN, or account and routing number"), max_length=140, blank=True)
    payout_details_updated = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind__in=("campus_fund", "marketing_pool", "payment_fees", "clearing")),
                name="one_shared_account_per_kind",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=(
                    models.Q(kind="operator", partner__isnull=False, user__isnull=True)
                    | models.Q(kind="contributor", user__isnull=False, partner__isnull=True)
                    | models.Q(
                        kind__in=("campus_fund", "marketing_pool", "payment_fees", "clearing"),
                        partner__isnull=True,
                        user__isnull=True,
                    )
                ),
                name="account_owner_matches_kind",
            ),  # fmt: skip
        ]

    def __str__(self):
        return self.name

    @property
    def paid_by_stripe(self) -> bool:
        """Payouts go by Stripe transfer only to a connected account that can receive them."""
        return bool(self.stripe_account_id and self.stripe_transfers_active)


class JournalEntry(models.Model):
    ALLOCATION, REFUND, PAYOUT, CORRECTION = "allocation", "refund", "payout", "correction"
    SPENDING = "spending"  # out of the campus fund or the marketing pool (revenue.funds)
    KIND_CHOICES = [(ALLOCATION, "Allocation"), (REFUND, "Refund"), (PAYOUT, "Payout"), (CORRECTION, "Correction"),
                    (SPENDING, "Spending")]  # fmt: skip

    # What the entry books, e.g. "payment:12" or "support:3": unique, so booking the same thing twice is impossible.
    reference = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=KIND_CHOICES, db_index=True)
    order = models.ForeignKey("order.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(AllocationPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text=_("The money the entry moves."))
    memo = models.CharField(max_length=255, blank=True)
    # When the money moved (a payment's capture, a refund's settlement); the fund pages count by it.
    value_date = models.DateTimeField(default=timezone.now, db_index=True)
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)  # when it was booked

    class Meta:
        ordering = ["-date_created", "-pk"]
        verbose_name_plural = "journal entries"

    def __str__(self):
        return self.reference


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="postings")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    # Where the money came from, for the campus fund's page and for reversing a refund in proportion.
    line = models.ForeignKey("order.Line", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey("partner.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    design = models.ForeignKey("catalogue.Design", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["account", "entry"])]

    def __str__(self):
        return f"{self.account}: {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Postings are never edited; book a correcting entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Postings are never deleted; book a correcting entry.")


class Payout(models.Model):
    MANUAL, STRIPE = "manual", "stripe"
    PENDING, PAID, FAILED = "pending", "paid", "failed"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=[(MANUAL, "By hand"), (STRIPE, "Stripe transfer")])
    status = models.CharField(max_length=16, choices=[(PENDING, "To settle"), (PAID, "Paid"), (FAILED, "Failed")],
                              default=PENDING, db_index=True)  # fmt: skip
    stripe_transfer_id = models.CharField(max_length=64, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reference = models.CharField(max_length=128, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_settled = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_positive")]

    def __str__(self):
        return f"Payout {self.pk}: {self.amount} {self.currency} to {self.account}"

    @property
    def idempotency_key(self) -> str:
        return f"oss-payout-{self.pk}"


class PendingAllocation(models.Model):
    """A captured payment waiting for its allocation: written in the same transaction as the payment, removed in the
    same transaction as its allocation (a transactional outbox). Workers take waiting payments in batches, so a busy
    shop's allocations share their queries and commits; a payment whose allocation failed keeps its row, with why."""

    payment_event = models.OneToOneField("order.PaymentEvent", primary_key=True, on_delete=models.CASCADE,
                                         related_name="+")  # fmt: skip
    date_created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["payment_event_id"]

    def __str__(self):
        return f"payment {self.payment_event_id}" + (" (failed)" if self.error else "")


# --- where the campus fund goes ---------------------------------------------------------------------------------


def receipt_storage():
    """Receipts are kept out of the public media folder (a receipt may name a person or an address): they are served
    only through ``revenue:campus-receipt``, for a disbursement that exists and whose receipt staff made public."""
    from catalog.models import private_storage

    return private_storage()


class FundProject(models.Model):
    """What the campus fund pays for: the seed commits "all resources to R&D and installation of prototype
    facilities". Staff write its story in Markdown (sanitised when shown)."""

    RND, FACILITY = "rnd", "facility"
    KIND_CHOICES = [(RND, _("R&D project")), (FACILITY, _("Facility install"))]

    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=120, unique=True)
    description = models.TextField(_("story (Markdown)"), blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("campus fund project")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("revenue:campus-project", kwargs={"slug": self.slug})


class Disbursement(models.Model):
    """Money out of the campus fund to a project, booked as one spending entry (``revenue.disbursements``) in the
    same transaction as this row. Never edited: a correction is a new entry."""

    PDF, JPEG, PNG = "pdf", "jpeg", "png"
    RECEIPT_TYPES = {PDF: "application/pdf", JPEG: "image/jpeg", PNG: "image/png"}

    project = models.ForeignKey(FundProject, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    description = models.CharField(_("what it paid for"), max_length=255)
    receipt = models.FileField(_("receipt"), upload_to="receipts/", storage=receipt_storage, max_length=200)
    receipt_type = models.CharField(max_length=8, choices=[(kind, kind) for kind in RECEIPT_TYPES])
    receipt_public = models.BooleanField(_("show the receipt publicly"), default=False)
    value_date = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Set in the transaction that creates the row (its reference, disbursement:<pk>, needs the row's id first).
    entry = models.OneToOneField(JournalEntry, null=True, on_delete=models.PROTECT, related_name="disbursement")
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-value_date", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="disbursement_positive")]

    def __str__(self):
        return f"{self.project}: {self.amount} on {self.value_date}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A disbursement is never edited: record a correction as a new entry.")
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"disbursement:{self.pk}"
