from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from marketplace.accounts import password_reset
from marketplace.accounts import views as accounts
from marketplace.home import views as home_views


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static_url("oscar/favicon.ico")  # read per request: the static manifest exists only after collectstatic


urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers and crawlers ask for /favicon.ico whatever the page says: send them to the static one.
    path("favicon.ico", FaviconView.as_view()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("marketplace.api.urls")),
    path("designs/", include("marketplace.browse.urls")),
    path("", include("marketplace.storefronts.urls")),
    path("", include("certification.urls")),
    path("", include("marketplace.payments.urls")),
    path("", include("marketplace.revenue.urls")),
    path("", include("marketplace.fulfilment.urls")),
    path("", include("marketplace.lifecycle.urls")),
    path("", include("marketplace.contract.urls")),
    path("", include("marketplace.specs.urls")),
    path("", include("marketplace.supporters.urls")),
    path("", include("marketplace.campaigns.urls")),
    path("", include("marketplace.stewardship.urls")),  # the unit pages, repairs and take-back
    path("", include("marketplace.webhooks.urls")),
    path("", include("marketplace.api.dashboard_urls")),  # the operator's API tokens page
    path("password-reset/", password_reset.password_reset, name="password-reset"),  # Oscar's, rate limited
    # Oscar's account pages, hardened (marketplace.accounts); Oscar's URL names lead here, as these come first
    path("accounts/login/", accounts.login),
    path("accounts/register/", accounts.register),
    path("accounts/logout/", accounts.logout),
    path("dashboard/logout/", accounts.logout),  # the dashboard's sign-out button posts here
    path("", home_views.landing, name="landing"),  # before Oscar's "/", which sends to the product grid
    path("", include(apps.get_app_config("oscar").urls[0])),
]

handler403 = "marketplace.accounts.access.permission_denied"
handler404 = "marketplace.api.errors.handler404"  # JSON under /api/, the shop's page elsewhere
handler500 = "marketplace.api.errors.handler500"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
