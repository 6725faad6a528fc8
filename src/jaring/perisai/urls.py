from django.urls import include, path

from jaring.perisai import views

app_name = "perisai"
urlpatterns = [
    path("", views.home, name="home"),
    path("ranking/", views.ranking, name="ranking"),
    path("signals/", views.signals, name="signals"),
    path("statements/", include("jaring.perisai.statement_urls")),
    path("<str:code>/", views.agent, name="agent"),
    path("<str:code>/participants/", views.participants, name="participants"),
]
