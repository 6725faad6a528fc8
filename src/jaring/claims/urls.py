from django.urls import path

from jaring.claims import office_views, views

app_name = "claims"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("dashboard/", office_views.dashboard, name="dashboard"),
    path("payouts/", office_views.payouts, name="payouts"),
    path("payouts/<int:pk>.csv", office_views.payout_file, name="payout_file"),
    path("<str:number>/", views.claim, name="claim"),
    path("<str:number>/documents/<int:pk>/", views.document, name="document"),
]
