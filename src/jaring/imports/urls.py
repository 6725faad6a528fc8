from django.urls import path

from jaring.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("upload", views.import_upload, name="upload"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/status", views.import_status, name="status"),
    path("<int:pk>/progress", views.import_progress, name="progress"),
    path("<int:pk>/result.csv", views.import_result, name="result"),
    path("templates/<str:kind>.csv", views.import_template, name="template"),
]
