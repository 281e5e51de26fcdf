"""Open, read-only, anonymous endpoints: designs, products and offers, storefronts, certificates, the campus fund."""

from rest_framework.routers import DefaultRouter

from marketplace.api.open import views

router = DefaultRouter()
router.register("designs", views.DesignViewSet, basename="design")
router.register("products", views.ProductViewSet, basename="product")
router.register("storefronts", views.StorefrontViewSet, basename="storefront")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("campus-fund/months", views.FundMonthViewSet, basename="campus-fund-month")

urlpatterns = router.urls
