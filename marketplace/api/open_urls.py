"""Open, read-only, anonymous endpoints: designs, products and offers, storefronts, certificates, the campus fund."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
