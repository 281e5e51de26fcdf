"""Password reset requests, rate limited: at most ``PASSWORD_RESET_LIMIT`` in ``PASSWORD_RESET_LIMIT_MINUTES`` from
one client address, and as many for one e-mail in any letter case, so the form can neither flood a mailbox nor probe
addresses at speed. The limit counts every e-mail alike, whether or not it has an account, and its refusal reads the
same for both; below the limit Oscar's form answers as always (it mails accounts only and says nothing of who has
one)."""

import logging
import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.template.response import TemplateResponse
from django.urls import reverse_lazy
from oscar.core.loading import get_class
from oscar.views.decorators import login_forbidden

from marketplace.accounts import rate_limits
from marketplace.accounts.security import client_ip

logger = logging.getLogger(__name__)


def seconds_to_wait(*, address: str | None, email: str) -> int:
    """Count a reset asked for ``email`` from ``address``: 0 when it may go ahead, else the seconds until the
    address (or the e-mail) may ask again. A cache outage lets the request through: the limit is a brake on abuse,
    not what keeps accounts safe."""
    try:
        return _take("address", address or "") or _take("email", email.strip().casefold())
    except Exception:  # the cache is down
        logger.warning("password reset limit not applied: the cache does not answer", exc_info=True)
        return 0


def _take(scope: str, key: str) -> int:
    return rate_limits.take(f"password-reset:{scope}", key, limit=settings.PASSWORD_RESET_LIMIT,
                            minutes=settings.PASSWORD_RESET_LIMIT_MINUTES)  # fmt: skip


class PasswordResetView(auth_views.PasswordResetView):
    """Oscar's password reset page (the same form, template and next page), refusing with HTTP 429 and a page saying
    when to try again once the limit is passed."""

    form_class = get_class("customer.forms", "PasswordResetForm")
    success_url = reverse_lazy("password-reset-done")
    template_name = "oscar/registration/password_reset_form.html"
    limited_template_name = "oscar/registration/password_reset_limited.html"

    def form_valid(self, form):
        wait = seconds_to_wait(address=client_ip(self.request), email=form.cleaned_data["email"])
        if not wait:
            return super().form_valid(form)
        response = TemplateResponse(self.request, self.limited_template_name, {"minutes": math.ceil(wait / 60)},
                                    status=429)  # fmt: skip
        response["Retry-After"] = str(wait)
        return response


password_reset = login_forbidden(PasswordResetView.as_view())
