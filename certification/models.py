"""OSE Certified: contributions, performance criteria and results, applications, reviews, certificates and the
people who may use the mark (those whose contribution to the certification was accepted)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_evidence_links(value: str) -> None:
    check = URLValidator(schemes=["http", "https"])
    for line in filter(None, (line.strip() for line in value.splitlines())):
        try:
            check(line)
        except ValidationError as exc:
            raise ValidationError(_("“%(link)s” is not a web link (http or https)."), params={"link": line}) from exc


class Contribution(models.Model):
    KINDS = [
        ("design", _("Design")), ("production-engineering", _("Production engineering")),
        ("documentation", _("Documentation")), ("supply-chain", _("Supply chain")),
        ("quality-control", _("Quality-control data")), ("training", _("Training material")),
        ("testing", _("Testing")), ("translation", _("Translation")), ("improvement", _("Improvement")),
    ]  # fmt: skip
    PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
    STATUSES = [(PENDING, _("Pending")), (ACCEPTED, _("Accepted")), (REJECTED, _("Rejected"))]

    design = models.ForeignKey("catalogue.Design", on_delete=models.CASCADE, related_name="contributions")
    design_version = models.CharField(_("design version"), max_length=32)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions")
    kind = models.CharField(_("kind"), max_length=32, choices=KINDS)
    description = models.TextField(_("description"), max_length=5000)
    evidence_links = models.TextField(
        _("evidence links"), blank=True, validators=[validate_evidence_links], help_text=_("One link per line.")
    )
    status = models.CharField(max_length=16, choices=STATUSES, default=PENDING, db_index=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_reason = models.TextField(blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_reviewed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date_created"]
        indexes = [models.Index(fields=["design", "status", "author"])]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.design} by {self.author}"

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]


class PerformanceCriterion(models.Model):
    """An admissible performance criterion of a production machine, e.g. throughput >= 40 bricks/hour."""

    AT_LEAST, AT_MOST = ">=", "<="
    COMPARISONS = [(AT_LEAST, _("at least")), (AT_MOST, _("at most"))]

    design = models.ForeignKey("catalogue.Design", on_delete=models.CASCADE, related_name="criteria")
    metric = models.CharField(max_length=100)
    unit = models.CharField(max_length=30)
    comparison = models.CharField(max_length=2, choices=COMPARISONS)
    threshold = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.metric} {self.comparison} {self.threshold.normalize():f} {self.unit}"

    def is_met_by(self, value: Decimal) -> bool:
        return value >= self.threshold if self.comparison == self.AT_LEAST else value <= self.threshold


class PerformanceResult(models.Model):
    """A measured result against a criterion; whether it meets the criterion is computed, never typed in."""

    criterion = models.ForeignKey(PerformanceCriterion, on_delete=models.CASCADE, related_name="results")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    measured_value = models.DecimalField(max_digits=14, decimal_places=4)
    evidence_url = models.URLField()
    status = models.CharField(max_length=16, choices=Contribution.STATUSES, default=Contribution.PENDING)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_created"]

    def __str__(self):
        return f"{self.criterion.metric}: {self.measured_value.normalize():f} {self.criterion.unit}"

    @property
    def meets(self) -> bool:
        return self.criterion.is_met_by(self.measured_value)


class CertificationApplication(models.Model):
    SUBMITTED, CHANGES_REQUESTED, APPROVED, REJECTED = "submitted", "changes-requested", "approved", "rejected"
    STATUSES = [
        (SUBMITTED, _("Submitted")),
        (CHANGES_REQUESTED, _("Changes requested")),
        (APPROVED, _("Approved")),
        (REJECTED, _("Rejected")),
    ]

    design = models.ForeignKey("catalogue.Design", on_delete=models.CASCADE, related_name="certification_applications")
    design_version = models.CharField(max_length=32)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=STATUSES, default=SUBMITTED, db_index=True)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_created"]

    def __str__(self):
        return f"{self.design.name} {self.design_version} ({self.status})"


class Review(models.Model):
    """One certifier decision or comment: the audit trail. Rows are written once and never changed or deleted."""

    COMMENT, REQUEST_CHANGES, APPROVE, REJECT = "comment", "request-changes", "approve", "reject"
    VERDICTS = [
        (COMMENT, _("Comment")),
        (REQUEST_CHANGES, _("Request changes")),
        (APPROVE, _("Approve")),
        (REJECT, _("Reject")),
    ]

    application = models.ForeignKey(CertificationApplication, on_delete=models.PROTECT, related_name="reviews")
    certifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=20, choices=VERDICTS)
    note = models.TextField(blank=True, max_length=5000)
    date_created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_created", "pk"]

    def __str__(self):
        return f"{self.certifier} {self.verdict} {self.application}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A review is part of the audit trail and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A review is part of the audit trail and cannot be deleted.")


class Certificate(models.Model):
    VALID, EXPIRED, REVOKED = "valid", "expired", "revoked"

    public_id = models.CharField(max_length=20, unique=True)
    application = models.OneToOneField(CertificationApplication, on_delete=models.PROTECT, related_name="certificate")
    design = models.ForeignKey("catalogue.Design", on_delete=models.PROTECT, related_name="certificates")
    design_version = models.CharField(max_length=32)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self):
        return self.public_id

    def get_absolute_url(self):
        return reverse("certification:certificate", kwargs={"public_id": self.public_id})

    # The rule of a valid certificate, in its two forms side by side: issued, not revoked, not expired. Python
    # (state) and SQL (valid_q) read it here only; certification.marks builds every "holds the mark" on valid_q.
    @staticmethod
    def valid_q(prefix: str = "", *, now=None) -> models.Q:
        """Certificates valid at ``now`` (the shop's clock, as ``state`` reads it, unless given: offer lists pass the
        database's ``Now()`` so their SQL, and the cached counts keyed by it, stay the same from one request to the
        next) as a query condition; ``prefix`` reaches the certificate, e.g. ``certificate__``."""
        when = now if now is not None else timezone.now()
        return models.Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}expires_at__gt": when})

    def state(self, now=None) -> str:
        if self.revoked_at:
            return self.REVOKED
        return self.VALID if (now or timezone.now()) < self.expires_at else self.EXPIRED


class MarkHolder(models.Model):
    """A person entitled to use the OSE Certified mark for a certificate, through an accepted contribution."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="holders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mark_holdings")
    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="+")
    date_added = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["certificate", "user"], name="one_holding_per_person")]

    def __str__(self):
        return f"{self.user} holds {self.certificate}"
