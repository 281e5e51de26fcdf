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


class QCStep(models.Model):
    """One step of a design's quality-control checklist: a pass/fail check, or a value measured on the unit with its
    limits. The checklist may change at any time: a record copies each step's name and limits, so what a unit was
    measured against stays as it was."""

    CHECK, MEASURE = "check", "measure"
    KIND_CHOICES = [(CHECK, _("Pass/fail check")), (MEASURE, _("Measured value"))]

    design = models.ForeignKey("catalogue.Design", on_delete=models.CASCADE, related_name="qc_steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("step"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=KIND_CHOICES, default=CHECK)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. mm, bricks/min; measured only"))
    min_value = models.DecimalField(_("at least"), max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("at most"), max_digits=14, decimal_places=4, null=True, blank=True)
    criterion = models.ForeignKey(
        "certification.PerformanceCriterion", null=True, blank=True, on_delete=models.SET_NULL, related_name="qc_steps"
    )
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["design", "position", "pk"]
        verbose_name = _("QC step")

    def __str__(self):
        return f"{self.design}: {self.name}"


class QCRecord(models.Model):
    """The producer's quality control of one unit: the result of every step of its design's checklist. A record is
    never changed: a correction is a new record, and the latest counts. None is added once the unit has shipped."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="qc_records")
    passed = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["unit", "date_created", "pk"]
        verbose_name = _("QC record")

    def __str__(self):
        return f"{self.unit} {'passed' if self.passed else 'failed'} {self.date_created:%Y-%m-%d}"


class QCResult(models.Model):
    """One step's result in a record, with the step as it was: its name, kind, unit and limits."""

    record = models.ForeignKey(QCRecord, on_delete=models.CASCADE, related_name="results")
    step = models.ForeignKey(QCStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="results")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=QCStep.KIND_CHOICES)
    unit = models.CharField(max_length=30, blank=True)
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField()

    class Meta:
        ordering = ["record", "position", "pk"]
        verbose_name = _("QC result")

    def __str__(self):
        return f"{self.name}: {'pass' if self.passed else 'fail'}"
