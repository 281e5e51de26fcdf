"""The OSE Social Contract: versions of its text published by staff, and each operator's acceptance of a version."""

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def text_sha256(text: str) -> str:
    """The fingerprint of a version's exact text (UTF-8), stored with every acceptance of it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ContractVersion(models.Model):
    """One published text of the Social Contract. Published text is never edited: a change is a new version."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    text = models.TextField(_("text"), max_length=50000, help_text=_("Markdown; HTML is sanitised."))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    grace_days = models.PositiveIntegerField(
        _("grace period (days)"), default=60, validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=_("Operators who accepted the version before keep the OSE brand this many days."),
    )  # fmt: skip
    accept_by = models.DateField(
        _("accept by"), null=True, blank=True, help_text=_("An explicit last day instead of the grace period.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("Social Contract version")

    def __str__(self):
        return f"Social Contract v{self.number}"

    @property
    def deadline(self) -> date:
        """The last day operators who accepted the version before may still accept this one and keep the brand."""
        return self.accept_by or (timezone.localdate(self.published_at) + timedelta(days=self.grace_days))

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


class Acceptance(models.Model):
    """A person's acceptance of one version: what they signed with, when, and the fingerprint of the text."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_acceptances")
    version = models.ForeignKey(ContractVersion, on_delete=models.PROTECT, related_name="acceptances")
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    accepted_at = models.DateTimeField(_("accepted"), default=timezone.now)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_user_version")]

    def __str__(self):
        return f"{self.name} accepted v{self.version.number}"


class VersionNotice(models.Model):
    """The e-mail asking an operator to accept a version went out (once per operator and version)."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="one_notice_per_user_version")]
