from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "jaring.desk"
