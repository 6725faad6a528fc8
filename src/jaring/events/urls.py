from django.urls import path

from jaring.events import views

app_name = "events"
urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/<str:code>/", views.campaign, name="campaign"),
    path("<str:code>/", views.event, name="event"),
]
