from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jaring.accounts"
    label = "accounts"
    verbose_name = _("Staff accounts and audit trail")

    def ready(self):
        from jaring.accounts import signals  # noqa: F401  (connects the sign-in and admin receivers)
