from django.urls import path

from marketplace.specs import views

app_name = "specs"

urlpatterns = [
    path("designs/<slug:slug>/specifications/", views.answer, name="answer"),
]
