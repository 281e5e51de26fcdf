"""The six operator tiers of the seed, what each allows and requires, and operators' applications to move."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Tier(models.Model):
    PRODUCTION_TRAINING = "production-training"
    PERFORMANCE_RESULTS = "performance-results"
    REQUIREMENT_CHOICES = [
        (PRODUCTION_TRAINING, _("Completed production training")),
        (PERFORMANCE_RESULTS, _("Accepted machine performance results")),
    ]

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    rank = models.PositiveSmallIntegerField(unique=True, help_text=_("1 = Passive … 6 = Campus Enterprise"))
    description = models.TextField(blank=True)
    sells_level_1 = models.BooleanField(default=True)
    sells_level_2 = models.BooleanField(default=False)
    sells_level_3 = models.BooleanField(default=False)
    physical_goods = models.BooleanField(
        default=False, help_text=_("May offer physical products and kits (not only digital goods and training).")
    )
    categories = models.ManyToManyField(
        "catalogue.Category", blank=True, related_name="+", help_text=_("Category trees it may sell in; none = all.")
    )
    requirements = models.JSONField(default=list, blank=True, help_text=_("Requirement codes to enter this tier."))

    class Meta:
        ordering = ["rank"]

    def __str__(self):
        return self.name

    def sells_level(self, level: int) -> bool:
        return bool(getattr(self, f"sells_level_{level}", False))

    @property
    def levels(self) -> list[int]:
        return [level for level in (1, 2, 3) if self.sells_level(level)]

    def requirement_labels(self) -> list[str]:
        labels = dict(self.REQUIREMENT_CHOICES)
        return [str(labels.get(code, code)) for code in self.requirements]


class TierApplication(models.Model):
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATUS_CHOICES = [(PENDING, _("Pending")), (APPROVED, _("Approved")), (REJECTED, _("Rejected"))]

    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.CASCADE, related_name="tier_applications")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="applications")
    motivation = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=PENDING)
    reason = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)
    date_decided = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created"]
        constraints = [
            models.UniqueConstraint(
                fields=["storefront"], condition=Q(status="pending"), name="one_pending_tier_application"
            )
        ]

    def __str__(self):
        return f"{self.storefront} → {self.tier} ({self.status})"
