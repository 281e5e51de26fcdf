"""The forms that say whether an e-mail has an account (registration; the checkout gateway as a guest or with a new
account; the one-page guest checkout) answer at most ``EMAIL_CHECK_LIMIT`` different e-mails in
``EMAIL_CHECK_LIMIT_MINUTES`` from one client address, so nobody can sort a list of addresses into customers and
others at speed. An e-mail already asked about, in any letter case, is the same question and costs nothing: a shopper
correcting the rest of the form is not counted again. The refusal comes before the question is asked, so it reads the
same whether or not the e-mail has an account."""

import logging
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.response import TemplateResponse
from oscar.apps.customer.utils import normalise_email

from marketplace.accounts import rate_limits
from marketplace.accounts.security import client_ip

logger = logging.getLogger(__name__)
SCOPE = "email-check"
TEMPLATE = "oscar/customer/email_checks_limited.html"


def seconds_to_wait(*, address: str | None, email: str) -> int:
    """Count ``email`` as asked about from ``address``: 0 when it may be answered, else the seconds until the address
    may try another. A cache outage lets the request through: the limit is a brake, not what keeps accounts safe."""
    try:
        return rate_limits.take_new(SCOPE, address or "", normalise_email(email).casefold(),
                                    limit=settings.EMAIL_CHECK_LIMIT, minutes=settings.EMAIL_CHECK_LIMIT_MINUTES)
    except Exception:  # the cache is down
        logger.warning("e-mail check limit not applied: the cache does not answer", exc_info=True)
        return 0


def refusal(request, email: str) -> TemplateResponse | None:
    """None when the form may check ``email``; else the shop's 429 page saying when to try again. What is not an
    e-mail address (left empty, mistyped) is not counted: the form refuses it without asking about any account."""
    try:
        validate_email(normalise_email(email or ""))
    except ValidationError:
        return None
    wait = seconds_to_wait(address=client_ip(request), email=email or "")
    if not wait:
        return None
    response = TemplateResponse(request, TEMPLATE, {"minutes": math.ceil(wait / 60)}, status=429)
    response["Retry-After"] = str(wait)
    return response
