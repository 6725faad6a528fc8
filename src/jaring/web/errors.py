"""The error page of a request jaring could not read, with the reason when it is safe to tell."""

from django.http import HttpResponseBadRequest
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from jaring.common.clock import OutOfRange


@requires_csrf_token
def bad_request(request, exception=None):
    """400: the generic page, which names the reason only for the refusals that are written for people
    (a date outside the years jaring counts in); any other reason may disclose what it should not."""
    message = str(exception) if isinstance(exception, OutOfRange) else ""
    return HttpResponseBadRequest(loader.render_to_string("400.html", {"message": message}, request))
