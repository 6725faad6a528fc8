from django.urls import path

from jaring.employers import views
from jaring.employers.leads import views as leads

app_name = "employers"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("leads/", leads.leads, name="leads"),
    path("leads/yield/", leads.lead_yield_page, name="lead_yield"),
]
