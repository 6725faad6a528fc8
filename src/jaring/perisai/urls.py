from django.urls import path

from jaring.perisai import views

app_name = "perisai"
urlpatterns = [
    path("", views.home, name="home"),
]
