from django.urls import path

from marketplace.fulfilment import views

app_name = "fulfilment"

urlpatterns = [
    path("downloads/<str:token>/", views.download, name="download"),
    path("accounts/orders/lines/<int:pk>/send-download/", views.resend_download, name="resend-download"),
    path("licences/", views.licence_lookup, name="licence-lookup"),
    path("licences/<str:number>/", views.licence, name="licence"),
    path("licences/<str:number>/certificate.pdf", views.licence_pdf, name="licence-pdf"),
    path("dashboard/fulfilment/parts/<int:pk>/status/", views.part_status, name="part-status"),
    path("dashboard/fulfilment/parts/<int:pk>/refund/", views.refund_part, name="refund-part"),
    path("dashboard/fulfilment/parts/<int:pk>/labels.pdf", views.part_labels, name="part-labels"),
    path("accounts/orders/parts/<int:pk>/delivered/", views.confirm_delivery, name="confirm-delivery"),
]
