from django.urls import path

from jaring.settlement import views

app_name = "settlement"
urlpatterns = [
    path("", views.settlement_home, name="home"),
    path("resolve", views.difference_resolve_view, name="resolve"),
    path("template.csv", views.settlement_template, name="template"),
]
