from django.urls import path

from jaring.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("payers/", views.payers, name="payers"),
]
