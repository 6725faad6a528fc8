"""Model and form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from jaring.rules.months import Month, month_at


class MonthFormField(forms.Field):
    """A month typed as ``YYYY-MM``."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2025-08.")}

    def __init__(self, *, max_length=None, min_value=None, max_value=None, step_size=None, **kwargs):
        # IntegerField.formfield passes integer bounds; a month typed as text has none.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "YYYY-MM", "size": 8, "maxlength": 7})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(Month(value))
        return str(value) if isinstance(value, Month) else value

    def to_python(self, value):
        if value is None or isinstance(value, Month):
            return value
        value = str(value).strip()
        if not value:
            return None
        try:
            return Month.parse(value)
        except ValueError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class MonthField(models.IntegerField):
    """A calendar month, stored as its integer index (year * 12 + month - 1).

    An integer keeps month arithmetic (``paid_through < current - 3``) in the database, the same on SQLite
    and PostgreSQL, and sorts correctly.
    """

    description = "Calendar month"

    @cached_property
    def validators(self):
        # IntegerField adds range validators that compare with ints; a Month is not an int.
        return [*self.default_validators, *self._validators]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MonthFormField, **kwargs})

    def from_db_value(self, value, expression, connection):
        return None if value is None else month_at(value)

    def to_python(self, value):
        if value is None or isinstance(value, Month):
            return value
        if isinstance(value, str):
            return Month.parse(value)
        return Month(int(value))

    def get_prep_value(self, value):
        if isinstance(value, Month):
            return value.index
        if isinstance(value, str):
            return Month.parse(value).index
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)


class DayInput(forms.DateInput):
    """The browser's date picker (``type="date"``). Its value is always written ``YYYY-MM-DD``, the only
    form the picker reads: the localised format (``10-07-2026`` in Indonesian) would show an empty
    field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ServiceForm(forms.Form):
    """A form that only carries what was typed: the service judges it, and its per-field errors land on
    the form's fields (an error about no field of the form, above the form)."""

    def add_service_errors(self, error: ValidationError) -> None:
        for name, problems in error.error_dict.items():
            self.add_error(name if name in self.fields else None, problems)
