"""The ``jaring`` command: every subcommand is a Django management command of a jaring app.

``jaring regions load`` runs the ``regions`` command of ``jaring.regions``; ``jaring help`` lists them all,
Django's own (``migrate``, ``createsuperuser``) included, for operators.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["jaring", *args])


if __name__ == "__main__":
    main()
