"""Every physical unit an operator makes: its serial, who made it, where it is in its life."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """One physical unit of a level 1 good or level 2 kit on a paid order line: one row per unit of its quantity.

    It exists from the moment its maker prepares it (quality control is recorded against it before it ships); it is
    in service once shipped, and its serial is what its label, its QR code and its public page carry."""

    IN_PRODUCTION, IN_SERVICE, UNDER_REPAIR, TAKEN_BACK, RECYCLED = (
        "in_production", "in_service", "under_repair", "taken_back", "recycled",
    )  # fmt: skip
    STATE_CHOICES = [
        (IN_PRODUCTION, _("In production")),
        (IN_SERVICE, _("In service")),
        (UNDER_REPAIR, _("Under repair")),
        (TAKEN_BACK, _("Taken back")),
        (RECYCLED, _("Recycled")),
    ]

    serial = models.CharField(_("serial number"), max_length=20, unique=True)
    line = models.ForeignKey("order.Line", on_delete=models.PROTECT, related_name="units")
    index = models.PositiveSmallIntegerField(help_text=_("1 to the line's quantity"))
    product = models.ForeignKey("catalogue.Product", null=True, on_delete=models.SET_NULL, related_name="units")
    design = models.ForeignKey("catalogue.Design", null=True, on_delete=models.SET_NULL, related_name="units")
    design_version = models.CharField(_("design version"), max_length=32, blank=True)
    maker = models.ForeignKey("storefronts.Storefront", on_delete=models.PROTECT, related_name="units_made")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="units_owned"
    )
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default=IN_PRODUCTION, db_index=True)
    date_created = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(null=True, blank=True, db_index=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["line", "index"]
        constraints = [models.UniqueConstraint(fields=["line", "index"], name="one_unit_per_line_index")]

    def __str__(self):
        return self.serial
