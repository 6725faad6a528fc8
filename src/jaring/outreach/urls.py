"""The outreach pages. Records are named in the query string (``?number=``, ``?code=``, ``?id=``): each
view looks them up through the user's scope and answers 404 outside it."""

from django.urls import path

from jaring.outreach import paritrana_views, views

app_name = "outreach"
urlpatterns = [
    path("", views.mous, name="mous"),
    path("mou/", views.mou_page, name="mou"),
    path("document/", views.document, name="document"),
    path("sites/", views.sites, name="sites"),
    path("site/", views.site_page, name="site"),
    path("paritrana/", paritrana_views.ranking, name="paritrana"),
    path("paritrana/region/", paritrana_views.region_page, name="paritrana_region"),
    path("paritrana/weights/", paritrana_views.weights, name="paritrana_weights"),
]
