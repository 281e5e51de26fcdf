"""An operator's API tokens: each belongs to one storefront, reads or writes, and is kept only as a hash."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    READ, WRITE = "read", "write"
    SCOPE_CHOICES = [(READ, _("Read: list offers, order parts and revenue")),
                     (WRITE, _("Write: also change offers, ship and refund"))]  # fmt: skip

    storefront = models.ForeignKey("storefronts.Storefront", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80, help_text=_("What uses it, e.g. “ERP stock sync”."))
    scope = models.CharField(_("scope"), max_length=5, choices=SCOPE_CHOICES, default=READ)
    # The secret is shown once; the shop keeps its SHA-256 (looked up by index) and its first characters.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=16, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(scope__in=("read", "write")), name="api_token_scope")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        return self.scope == self.WRITE
