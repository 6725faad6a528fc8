from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "jaring.employers"
    label = "employers"
