"""A storefront's own host name: its OSE-branded page served at ``/`` of that host.

Each custom host has a row in Django's sites framework (kept by ``services.update_storefront``). Django answers only
hosts in ``ALLOWED_HOSTS``, so a deployment lists the custom hosts there (see the README). The page cache keys pages
by host, so one host's ``/`` is never served for another's."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse

from marketplace.ops import pagecache
from marketplace.storefronts.models import Storefront

HOSTS_KEY = "storefronts:custom-hosts"


def _hosts() -> dict[str, str]:
    """custom host -> storefront slug, kept in the cache until a storefront changes (any save of one, the admin's
    too, moves the page cache's generation on)."""
    key = f"{HOSTS_KEY}:{pagecache.generation()}"
    hosts = cache.get(key)
    if hosts is None:
        hosts = dict(Storefront.objects.exclude(custom_host=None).values_list("custom_host", "slug"))
        cache.set(key, hosts, 3600)
    return hosts


def sync_site(*, storefront: Storefront, previous_host: str | None) -> None:
    """One Site row per custom host: the old host's row goes, the new host's row names the storefront."""
    if previous_host and previous_host != storefront.custom_host:
        Site.objects.filter(domain=previous_host).exclude(pk=settings.SITE_ID).delete()
    if storefront.custom_host:
        Site.objects.update_or_create(domain=storefront.custom_host, defaults={"name": storefront.name[:50]})


class CustomHostMiddleware:
    """``/`` on a storefront's custom host is its page while the storefront is active and its operator holds the OSE
    brand; otherwise the visitor is sent to the storefront's page on the shop. Other paths are the shop's own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/":
            host = request.get_host().rsplit(":", 1)[0].lower()
            slug = _hosts().get(host)
            if slug is not None:
                response = self._storefront_root(request, slug)
                if response is not None:
                    return response
        return self.get_response(request)

    def _storefront_root(self, request, slug):
        from marketplace.contract import selectors as contract

        storefront = Storefront.objects.filter(slug=slug).first()
        page = reverse("storefronts:detail", kwargs={"slug": slug})
        if storefront is None:
            return redirect(settings.SITE_URL.rstrip("/") + "/")
        if not (storefront.is_active and contract.standing(storefront.operator_id).holds_brand):
            return redirect(settings.SITE_URL.rstrip("/") + page)
        request.path_info = page  # the storefront's page, kept in the page cache under this host's "/"
        return None
