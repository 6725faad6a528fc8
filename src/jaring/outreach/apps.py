from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "jaring.outreach"
    label = "outreach"
