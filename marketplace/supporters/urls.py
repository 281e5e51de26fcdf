from django.urls import include, path

app_name = "supporters"

urlpatterns = [
    path("", include("marketplace.supporters.update_urls")),  # the operator's updates to its supporters
]
