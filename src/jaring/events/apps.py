from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "jaring.events"
    label = "events"
