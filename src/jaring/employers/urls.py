from django.urls import path

from jaring.employers import views

app_name = "employers"
urlpatterns = [path("register/", views.register, name="register")]
