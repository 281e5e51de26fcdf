"""Operators and their storefronts: local microfactories, each selling through one Oscar partner."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.images import PictureField

colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #2e7d32."))
# A host name of two or more labels (letters, digits, inner hyphens), stored lower-cased: no port, scheme, path or IP.
host_name = RegexValidator(
    r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    _("Give a host name like shop.example.org: letters, digits, dots and hyphens, without http:// or a path."),
    flags=re.IGNORECASE,
)


class Storefront(models.Model):
    PENDING, ACTIVE, SUSPENDED, REJECTED = "pending", "active", "suspended", "rejected"
    STATUS_CHOICES = [
        (PENDING, _("Pending approval")),
        (ACTIVE, _("Active")),
        (SUSPENDED, _("Suspended")),
        (REJECTED, _("Rejected")),
    ]

    operator = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="storefront")
    partner = models.OneToOneField(
        "partner.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="storefront"
    )
    slug = models.SlugField(_("address"), max_length=60, unique=True, help_text=_("Your page: /stores/<address>/"))
    name = models.CharField(_("name"), max_length=100)
    tagline = models.CharField(_("tagline"), max_length=160, blank=True)
    about = models.TextField(_("about"), blank=True, max_length=5000, help_text=_("Markdown; HTML is sanitised."))
    logo = PictureField(_("logo"), upload_to="storefronts/logos/", blank=True)
    banner = PictureField(_("banner"), upload_to="storefronts/banners/", blank=True)
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#2e7d32", validators=[colour])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#1b1b1b", validators=[colour])
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. US"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    tier = models.ForeignKey("tiers.Tier", on_delete=models.PROTECT, related_name="storefronts")
    status = models.CharField(_("status"), max_length=16, choices=STATUS_CHOICES, default=PENDING, db_index=True)
    status_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    campus_fund_percent = models.DecimalField(
        _("campus fund (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=[MaxValueValidator(Decimal("100"))],
        help_text=_("The share of your revenue you give to the public campus fund, at or above the minimum."),
    )
    shipping_charge = models.DecimalField(
        _("shipping charge"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("Charged once per order that holds physical goods from you; 0 for free shipping."),
    )
    custom_host = models.CharField(
        _("custom host name"), max_length=253, unique=True, null=True, blank=True, validators=[host_name],
        help_text=_("Optional: your own address (e.g. fab.example.org) showing your OSE-branded page while you hold "
                    "the brand. Point its DNS at the shop and ask staff to add it to the shop's allowed hosts."),
    )  # fmt: skip
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(campus_fund_percent__gte=0, campus_fund_percent__lte=100),
                name="campus_fund_percent_range",
            ),
            models.CheckConstraint(condition=models.Q(shipping_charge__gte=0), name="shipping_charge_not_negative"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("storefronts:detail", kwargs={"slug": self.slug})

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE

    def clean(self):
        from django.core.exceptions import ValidationError

        from marketplace.money.policy import current_policy

        minimum = current_policy().campus_fund_minimum_percent
        if self.campus_fund_percent is not None and self.campus_fund_percent < minimum:
            raise ValidationError(
                {"campus_fund_percent": _("The campus fund share cannot be below the minimum of %(min)s%%.")
                 % {"min": minimum}}
            )  # fmt: skip
        if self.country:
            self.country = self.country.upper()
        if self.custom_host is not None:
            self.custom_host = self.custom_host.strip().lower() or None
        if self.custom_host and self.custom_host in shop_hosts():
            raise ValidationError({"custom_host": _("That is the shop's own address: give your own host name.")})


def shop_hosts() -> set[str]:
    """The shop's own host names (its SITE_URL and its Site), which no storefront may take."""
    from urllib.parse import urlsplit

    from django.contrib.sites.models import Site

    hosts = {(urlsplit(settings.SITE_URL).hostname or "").lower()}
    site = Site.objects.filter(pk=settings.SITE_ID).values_list("domain", flat=True).first()
    return hosts | ({site.split(":")[0].lower()} if site else set())


class StorefrontEvent(models.Model):
    """Audit trail of a storefront's state changes (who, when, what, why)."""

    storefront = models.ForeignKey(Storefront, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=32)
    reason = models.TextField(blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created", "-pk"]

    def __str__(self):
        return f"{self.storefront}: {self.action}"
