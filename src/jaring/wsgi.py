"""WSGI entry point for ``jaring serve`` and any production server."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jaring.settings")
application = get_wsgi_application()

# What start-up made (Django, the apps, their modules and settings) lives as long as the process: it is set
# aside from the cyclic collector, whose full collections then walk only what requests made. Walking the
# whole heap held a participant page up by some 40 ms, once every few hundred requests (docs/scale.md).
gc.freeze()
