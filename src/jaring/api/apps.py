from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jaring.api"
    label = "api"
    verbose_name = "API partner"
