from django.urls import path

from certification import views

app_name = "certification"

urlpatterns = [
    path("certified/", views.directory, name="directory"),
    path("certified/contribute/<slug:slug>/", views.contribute, name="contribute"),
    path("certified/apply/<slug:slug>/", views.apply, name="apply"),
    path("certified/criteria/<int:pk>/result/", views.submit_result, name="submit-result"),
    path("certified/<str:public_id>/", views.certificate, name="certificate"),
    path("dashboard/certification/", views.queue, name="queue"),
    path("dashboard/certification/applications/<int:pk>/", views.application, name="application"),
    path(
        "dashboard/certification/contributions/<int:pk>/review/", views.review_contribution, name="review-contribution"
    ),
    path("dashboard/certification/results/<int:pk>/review/", views.review_result, name="review-result"),
]
