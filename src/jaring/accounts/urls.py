from django.contrib.auth import views as auth_views
from django.urls import path

from jaring.accounts import views

app_name = "accounts"
urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="accounts:login"), name="logout"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("audit/reveal", views.audit_reveal, name="audit-reveal"),
]
