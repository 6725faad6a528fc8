from django.urls import path

from jaring.field import views

app_name = "field"
urlpatterns = [
    path("", views.app, name="app"),
    path("data.json", views.data, name="data"),
    path("enrol/", views.enrol, name="enrol"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("agents/<str:code>/", views.agent_phones, name="agent"),
    path("phones/<int:pk>/revoke/", views.phone_revoke, name="revoke"),
]
