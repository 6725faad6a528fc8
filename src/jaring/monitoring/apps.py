from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jaring.monitoring"
    label = "monitoring"
    verbose_name = "monitoring"
