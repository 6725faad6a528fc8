from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "jaring.common"
    label = "jaring_common"
    verbose_name = "jaring"
