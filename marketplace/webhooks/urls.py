"""An operator's webhooks, in its dashboard: endpoints, their delivery log, a delivery's detail, and "Send again"."""

from django.urls import path

from marketplace.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("dashboard/webhooks/", views.endpoint_list, name="list"),
    path("dashboard/webhooks/new/", views.endpoint_create, name="create"),
    path("dashboard/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("dashboard/webhooks/<int:pk>/roll-secret/", views.endpoint_roll_secret, name="roll-secret"),
    path("dashboard/webhooks/<int:pk>/test/", views.endpoint_test, name="test"),
    path("dashboard/webhooks/<int:pk>/remove/", views.endpoint_remove, name="remove"),
    path("dashboard/webhooks/deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("dashboard/webhooks/deliveries/<int:pk>/send-again/", views.delivery_replay, name="replay"),
    # the demo's own receiver, so the demo shop never calls anything real: a 404 unless DEBUG (routed always, so the
    # URL table does not depend on when it was first read)
    path("webhooks/demo-receiver/<int:pk>/", views.demo_receiver, name="demo-receiver"),
]
