"""The forked catalogue (app label ``catalogue``): open designs, the three levels, licences, standards, supply chain.

Our models and our extensions of Oscar's come first; Oscar's remaining models are imported at the bottom, as
Oscar's forking guide asks.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import (
    AbstractCategory,
    AbstractProduct,
    AbstractProductAttributeValue,
    AbstractProductClass,
    AbstractProductImage,
    get_image_upload_path,
)

from catalog import licences, standards
from catalog.images import MissingProductImage, PictureField
from catalog.richtext import SanitisedHTMLField, render_html


class Level(models.IntegerChoices):
    PRODUCT = 1, _("Level 1 · Product")
    PRODUCTION = 2, _("Level 2 · Production")
    DISTRIBUTION = 3, _("Level 3 · Distribution")


class ProductClass(AbstractProductClass):
    # Each class belongs to exactly one level; shipping and stock tracking stay Oscar's, per class.
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, null=True, blank=True)


class Design(models.Model):
    """An open source design: the common good behind the products sold at the three levels."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown; HTML is sanitised."))
    category = models.ForeignKey(
        "catalogue.Category", on_delete=models.PROTECT, related_name="designs", verbose_name=_("category")
    )
    version = models.CharField(_("version"), max_length=32, default="1.0")
    repository_url = models.URLField(_("source repository"), blank=True)
    hardware_licence = models.CharField(
        _("hardware licence"), max_length=40, validators=[licences.validate_hardware], help_text=_("SPDX identifier")
    )
    software_licence = models.CharField(
        _("software licence"),
        max_length=40,
        blank=True,
        validators=[licences.validate_software],
        help_text=_("SPDX identifier; leave empty if the design has no software."),
    )
    documentation_licence = models.CharField(
        _("documentation licence"),
        max_length=40,
        validators=[licences.validate_documentation],
        help_text=_("SPDX identifier"),
    )
    is_production_machine = models.BooleanField(
        _("production machine"), default=False, help_text=_("Machines carry admissible performance criteria.")
    )
    # Full-cost accounting, per unit, in the shop's currency.
    cost_materials = models.DecimalField(_("materials"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    cost_labour = models.DecimalField(_("labour"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    cost_energy = models.DecimalField(_("energy"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    cost_shipping = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    co2e_kg = models.DecimalField(_("embodied CO2e (kg)"), max_digits=12, decimal_places=3, default=Decimal("0"))
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "catalogue"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_materials__gte=0, cost_labour__gte=0, cost_energy__gte=0, cost_shipping__gte=0)
                & Q(co2e_kg__gte=0),
                name="design_costs_not_negative",
            )
        ]

    def __str__(self):
        return f"{self.name} {self.version}"

    def get_absolute_url(self):
        return reverse("designs:detail", kwargs={"slug": self.slug})

    def licence(self, kind: str):
        return licences.lookup(kind, getattr(self, f"{kind}_licence"))


class DesignDocument(models.Model):
    """One of the six documentation areas of the product standards, for one design."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="documents")
    area = models.CharField(_("area"), max_length=32, choices=standards.AREAS)
    url = models.URLField(_("link"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=standards.STATUSES, default=standards.MISSING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "catalogue"
        constraints = [models.UniqueConstraint(fields=["design", "area"], name="one_document_per_area")]

    def __str__(self):
        return f"{self.design}: {self.get_area_display()} ({self.status})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.status == standards.COMPLETE and not self.url:
            raise ValidationError({"url": _("A complete documentation area needs a link to the documentation.")})


class BillOfMaterialsLine(models.Model):
    """What a design is made from: a stock feedstock, or another design in the store (technological recursion)."""

    STOCK, SPECIALISED = "stock", "specialised"
    SUPPLY_CHOICES = [(STOCK, _("Stock supply")), (SPECIALISED, _("Specialised supply"))]

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="bom_lines")
    component = models.ForeignKey(
        Design, null=True, blank=True, on_delete=models.PROTECT, related_name="used_in_lines",
        verbose_name=_("component design"),
    )  # fmt: skip
    feedstock = models.CharField(_("feedstock"), max_length=120, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    supply = models.CharField(_("supply"), max_length=16, choices=SUPPLY_CHOICES, default=STOCK)

    class Meta:
        app_label = "catalogue"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(component__isnull=True) & ~Q(feedstock=""))
                | (Q(component__isnull=False) & Q(feedstock="")),
                name="bom_line_is_feedstock_or_design",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.quantity} {self.unit} {self.component or self.feedstock}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if bool(self.component_id) == bool(self.feedstock.strip()):
            raise ValidationError(_("A bill-of-materials line is either a feedstock or another design, not both."))


class DesignImage(models.Model):
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="images")
    image = PictureField(_("image"), upload_to="designs/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        app_label = "catalogue"
        ordering = ["display_order", "pk"]

    def __str__(self):
        return self.caption or self.image.name


def private_storage():
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


class Product(AbstractProduct):
    # Rich text an operator may write (the dashboard's editor): cleaned of anything that runs, on every save.
    description = SanitisedHTMLField(_("Description"), blank=True)
    design = models.ForeignKey(
        Design, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("design")
    )
    # Copied from the product class on save, so listings, filters and fulfilment can use it without a join.
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, null=True, blank=True, db_index=True)
    # What a digital good delivers: kept out of the public media folder, handed out only by a signed, expiring link.
    digital_file = models.FileField(
        _("file delivered (digital goods)"), upload_to="digital/", storage=private_storage, blank=True,
        validators=[FileExtensionValidator(["pdf", "epub", "zip", "md", "txt"])],
    )  # fmt: skip

    class Meta(AbstractProduct.Meta):
        app_label = "catalogue"
        indexes = [models.Index(fields=["design", "level"], name="product_design_level")]

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        product_class = self.get_product_class() if (self.product_class_id or self.parent_id) else None
        class_level = product_class.level if product_class else None
        if self.level and class_level and self.level != class_level:
            raise ValidationError(
                {
                    "product_class": _(
                        "“%(cls)s” is a level %(cl)d product class; a level %(l)d product needs a level %(l)d class."
                    )
                    % {"cls": product_class.name, "cl": class_level, "l": self.level}
                }
            )
        if class_level:
            self.level = class_level
            if not self.design_id and not self.is_child:
                raise ValidationError(
                    {"design": _("A level %(l)d product must belong to a design.") % {"l": class_level}}
                )
        elif self.level:
            raise ValidationError(
                {"product_class": _("Choose a product class of level %(l)d for this product.") % {"l": self.level}}
            )

    def save(self, *args, **kwargs):
        if self.product_class_id and self.level is None:
            self.level = self.product_class.level
        super().save(*args, **kwargs)

    def get_missing_image(self):
        return MissingProductImage()


# Oscar's models with an image field, each with that field a PictureField (checked and re-encoded on upload).
class Category(AbstractCategory):
    image = PictureField(_("Image"), upload_to="categories", blank=True, null=True, max_length=255)
    description = SanitisedHTMLField(_("Description"), blank=True)
    long_description = SanitisedHTMLField(_("Long description"), blank=True)


class ProductImage(AbstractProductImage):
    original = PictureField(_("Original"), upload_to=get_image_upload_path, max_length=255)


class ProductAttributeValue(AbstractProductAttributeValue):
    value_image = PictureField(upload_to=get_image_upload_path, max_length=255, blank=True, null=True)
    value_richtext = SanitisedHTMLField(_("Richtext"), blank=True, null=True)

    def _richtext_as_html(self):
        return render_html(self.value_richtext)  # Oscar marks it safe as it is


class LicenceTerms(models.Model):
    """The terms of a level 3 distribution licence: brand rights and network support to mass-produce a design."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="licence_terms")
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    territory = models.CharField(_("territory"), max_length=120, help_text=_("For example: Worldwide, EU, Kenya."))
    unit_cap = models.PositiveIntegerField(_("unit cap"), null=True, blank=True)
    royalty_percent = models.DecimalField(
        _("royalty (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )  # fmt: skip

    class Meta:
        app_label = "catalogue"
        verbose_name_plural = _("licence terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cap__isnull=False) | Q(royalty_percent__isnull=False),
                name="licence_has_cap_or_royalty",
            )
        ]

    def __str__(self):
        return f"{self.term_months} months, {self.territory}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.unit_cap is None and self.royalty_percent is None:
            raise ValidationError(_("A distribution licence needs a unit cap or a royalty (or both)."))


from oscar.apps.catalogue.models import *  # noqa: E402
