from django.apps import AppConfig


class PerisaiConfig(AppConfig):
    name = "jaring.perisai"
