"""jaring: the system of record for enrolling informal workers into employment social security."""

__version__ = "0.1.0"
