"""Which campaign brought a visitor: a link with the campaign's referral code (``?ref=SOLAR26``) or its UTM parameters
(``?utm_campaign=<slug>&utm_source=...&utm_medium=...``) leaves a signed first-party cookie for 30 days; the last
campaign link followed wins. The page is then asked again without those parameters, so the shared page cache keeps
one copy of a page, not one per code, and the cookie is set whether or not the page came from the cache.

While a request runs, its touch is readable here (``current_touch``): Oscar's ``order_placed`` carries no request,
and the order-placed step (``marketplace/orderflow/paths.py``) asks for it."""

import contextvars
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpResponseRedirect
from django.utils import timezone

from marketplace.campaigns.models import Campaign, OrderAttribution

COOKIE = "ose_campaign"
SALT = "campaigns.touch"
LIFETIME = timedelta(days=30)
PARAMETERS = ("ref", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id")
FIELD_LENGTH = 100

_current: contextvars.ContextVar = contextvars.ContextVar("campaign_touch", default=None)


@dataclass(frozen=True)
class Touch:
    campaign_id: int
    how: str  # OrderAttribution.REFERRAL or .UTM
    at: str  # ISO time the visitor arrived
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""

    @property
    def arrived_at(self) -> datetime:
        return datetime.fromisoformat(self.at)


def current_touch() -> Touch | None:
    """The campaign touch of the request being served (from its cookie), or None."""
    return _current.get()


def touch_from(query) -> Touch | None:
    """The touch a campaign link makes, or None when it names no approved campaign running today (ignored
    silently: the visitor just sees the page)."""
    code = query.get("ref", "").strip().upper()[:16]
    slug = query.get("utm_campaign", "").strip()[:80]
    if not code and not slug:
        return None
    running = Campaign.objects.filter(
        status=Campaign.APPROVED, starts_on__lte=timezone.localdate(), ends_on__gte=timezone.localdate()
    )
    campaign = None
    if code:
        campaign = running.filter(referral_code=code).only("pk").first()
    how = OrderAttribution.REFERRAL
    if campaign is None and slug:
        campaign = running.filter(slug=slug).only("pk").first()
        how = OrderAttribution.UTM
    if campaign is None:
        return None
    utm = {name: query.get(name, "")[:FIELD_LENGTH] for name in ("utm_source", "utm_medium", "utm_campaign")}
    return Touch(campaign_id=campaign.pk, how=how, at=timezone.now().isoformat(), **utm)


def read_touch(request) -> Touch | None:
    """The touch in the request's cookie, if its signature holds and it is under 30 days old."""
    if COOKIE not in request.COOKIES:
        return None
    try:
        value = request.get_signed_cookie(COOKIE, salt=SALT, max_age=LIFETIME)
        touch = Touch(**json.loads(value))
        touch.arrived_at  # noqa: B018 - a touch that names no time is no touch
        return touch
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _without_parameters(request) -> str:
    query = request.GET.copy()
    for name in PARAMETERS:
        query.pop(name, None)
    path = "/" + request.path.lstrip("/")  # never "//host": the redirect stays on this site
    rest = query.urlencode()
    return f"{path}?{rest}" if rest else path


class CampaignLinkMiddleware:
    """Turns a campaign link into the cookie and a redirect to the same page without its campaign parameters; keeps
    the cookie's touch readable while every other request runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and any(name in request.GET for name in PARAMETERS):
            response = HttpResponseRedirect(_without_parameters(request))
            touch = touch_from(request.GET)
            if touch is not None:
                response.set_signed_cookie(
                    COOKIE, json.dumps(asdict(touch)), salt=SALT, max_age=int(LIFETIME.total_seconds()),
                    secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
                )  # fmt: skip
            return response
        token = _current.set(read_touch(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
