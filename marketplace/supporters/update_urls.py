"""The operator's updates to its supporters and their unsubscribe links (included by ``urls``)."""

from django.urls import path

from marketplace.supporters import update_views

urlpatterns = [
    path("dashboard/supporters/updates/", update_views.updates, name="updates"),
    path("dashboard/supporters/updates/<int:pk>/", update_views.update_detail, name="update-detail"),
    path("true-fans/unsubscribe/<str:token>/", update_views.unsubscribe, name="unsubscribe"),
]
