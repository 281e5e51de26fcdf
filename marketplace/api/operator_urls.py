"""An operator's own storefront, by its API token: offers, order parts, revenue statement."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
