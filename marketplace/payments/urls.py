from django.urls import path

from marketplace.payments import views

app_name = "payments"

urlpatterns = [
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("payments/stripe/return/<str:number>/<str:verification>/", views.stripe_return, name="stripe-return"),
    path(
        "dashboard/payments/orders/<str:number>/confirm-offline/",
        views.confirm_offline_payment,
        name="confirm-offline",
    ),
]
