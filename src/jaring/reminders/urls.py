from django.urls import path

from jaring.reminders import views

app_name = "reminders"

urlpatterns = [
    path("callback/<str:provider>/", views.callback, name="callback"),
]
