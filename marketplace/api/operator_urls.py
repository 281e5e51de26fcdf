"""An operator's own storefront, by its API token: offers, order parts, revenue statement."""

from rest_framework.routers import SimpleRouter

from marketplace.api.operator import views

app_name = "operator"

router = SimpleRouter()
router.register("offers", views.OfferViewSet, basename="offer")
router.register("parts", views.PartViewSet, basename="part")
router.register("revenue", views.RevenueViewSet, basename="revenue")

urlpatterns = router.urls
