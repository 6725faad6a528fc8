from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "jaring.reminders"
    label = "reminders"
