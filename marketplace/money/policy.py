"""How every payment is split, set by staff: the campus fund's minimum share, the marketing pool, contributor
royalties, the card fee and the payout threshold. Storefronts read the campus fund's minimum (a storefront may give
more, never less) and the ledger splits by the whole policy, so the policy sits below both. Its rows are the
ledger's (app label ``revenue``): each allocation names the policy it used."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class AllocationPolicy(models.Model):
    """How a payment is split, set by staff. A change is a new row; each allocation names the policy it used."""

    campus_fund_minimum_percent = models.DecimalField(_("campus fund minimum (%)"), max_digits=5, decimal_places=2,
                                                      validators=PERCENT)  # fmt: skip
    marketing_percent = models.DecimalField(_("marketing pool (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    royalty_percent = models.DecimalField(
        _("contributor royalty on certified designs (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    card_fee_percent = models.DecimalField(_("card fee (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    card_fee_fixed = models.DecimalField(_("card fee per payment"), max_digits=8, decimal_places=2,
                                         validators=[MinValueValidator(Decimal("0"))])  # fmt: skip
    payout_threshold = models.DecimalField(_("pay out balances from"), max_digits=12, decimal_places=2,
                                           validators=[MinValueValidator(Decimal("0.01"))])  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "revenue"  # its table and migrations stay the ledger's
        ordering = ["-date_created", "-pk"]
        verbose_name_plural = "allocation policies"

    def __str__(self):
        return f"Policy {self.pk} ({self.date_created:%Y-%m-%d})" if self.date_created else "New policy"

    def clean(self):
        shares = (self.campus_fund_minimum_percent or 0) + (self.marketing_percent or 0) + (self.royalty_percent or 0)
        if shares > 100:
            raise ValidationError(_("Campus fund minimum, marketing pool and royalties cannot exceed 100% together."))


def current_policy() -> AllocationPolicy:
    policy = AllocationPolicy.objects.order_by("-date_created", "-pk").first()
    if policy is None:  # the shop's defaults until staff set a policy
        policy = AllocationPolicy(
            campus_fund_minimum_percent=Decimal(str(settings.CAMPUS_FUND_MINIMUM_PERCENT)),
            marketing_percent=Decimal("5.00"), royalty_percent=Decimal("3.00"),
            card_fee_percent=Decimal("2.90"), card_fee_fixed=Decimal("0.30"), payout_threshold=Decimal("25.00"),
        )  # fmt: skip
    return policy
