"""Model fields shared by the apps."""

from django.db import models

from jaring.rules.months import Month


class MonthField(models.IntegerField):
    """A calendar month, stored as its integer index (year * 12 + month - 1).

    An integer keeps month arithmetic (``paid_through < current - 3``) in the database, the same on SQLite
    and PostgreSQL, and sorts correctly.
    """

    description = "Calendar month"

    def from_db_value(self, value, expression, connection):
        return None if value is None else Month(value)

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
