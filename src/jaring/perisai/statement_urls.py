"""Statement pages, included by ``perisai/urls.py`` under ``statements/`` (names are app-less:
``perisai:statement-list``, ``perisai:statement-detail`` with ``code`` and ``month``, ...)."""

from django.urls import path

from jaring.perisai import statement_views as views

urlpatterns = [
    path("", views.statement_list, name="statement-list"),
    path("compute/", views.statement_compute, name="statement-compute"),
    path("payout.csv", views.payout_file, name="payout-file"),
    path("<str:code>/<str:month>/", views.statement_detail, name="statement-detail"),
    path("<str:code>/<str:month>/approve/", views.statement_approve_view, name="statement-approve"),
    path("<str:code>/<str:month>/file.<str:fmt>", views.statement_export, name="statement-export"),
]
