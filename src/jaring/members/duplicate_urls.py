from django.urls import path

from jaring.members import duplicate_views, merge_views

app_name = "duplicates"
urlpatterns = [
    path("", duplicate_views.queue, name="queue"),
    path("scan/", duplicate_views.scan, name="scan"),
    path("<int:pk>/", duplicate_views.pair, name="pair"),
    path("<int:pk>/merge/", merge_views.merge, name="merge"),
]
