from django.apps import AppConfig


class SettlementConfig(AppConfig):
    name = "jaring.settlement"
    label = "settlement"
    verbose_name = "payment channels and settlement"
