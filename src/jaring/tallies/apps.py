from django.apps import AppConfig


class TalliesConfig(AppConfig):
    name = "jaring.tallies"
    label = "tallies"
    verbose_name = "tallies"
