from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jaring.api"
    label = "api"
    verbose_name = "API partner"

    def ready(self) -> None:
        from jaring.api.keycache import keycache_connect

        keycache_connect()
