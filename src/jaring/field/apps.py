from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "jaring.field"
    label = "field"
    verbose_name = _("the desk in the field")
    default_auto_field = "django.db.models.BigAutoField"
