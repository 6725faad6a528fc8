from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "jaring.imports"
    label = "imports"
    verbose_name = "imports"
