"""WSGI entry point for ``jaring serve`` and any production server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")
application = get_wsgi_application()
