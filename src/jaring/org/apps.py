from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "jaring.org"
    label = "org"
