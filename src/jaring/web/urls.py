from django.urls import path

from jaring.web import payers, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("payers/", payers.payer_list, name="payers"),
    path("payers/<str:code>/", payers.payer_detail, name="payer"),
    path("payers/<str:code>/bills/<str:month>/", payers.bill_detail, name="bill"),
    path("payers/<str:code>/bills/<str:month>/invoice.pdf", payers.bill_pdf, name="bill_pdf"),
]
