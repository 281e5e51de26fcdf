from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from marketplace import password_reset

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("designs/", include("catalog.urls")),
    path("", include("marketplace.storefronts.urls")),
    path("", include("certification.urls")),
    path("", include("marketplace.payments.urls")),
    path("", include("marketplace.revenue.urls")),
    path("", include("marketplace.fulfilment.urls")),
    path("password-reset/", password_reset.password_reset, name="password-reset"),  # Oscar's, rate limited
    path("", include(apps.get_app_config("oscar").urls[0])),
]

handler403 = "marketplace.access.permission_denied"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
