from django.urls import path

from marketplace.browse import views

app_name = "designs"

urlpatterns = [
    path("", views.design_list, name="list"),
    path("<slug:slug>/", views.design_detail, name="detail"),
    path("<slug:slug>/graph/", views.design_graph, name="graph"),
]
