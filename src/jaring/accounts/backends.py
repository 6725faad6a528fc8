"""The sign-in throttle (django-axes), as the first authentication backend."""

from axes.backends import AxesStandaloneBackend


class ThrottleBackend(AxesStandaloneBackend):
    """Refuses a sign-in while its username+address pair is locked out (5 failures: 15 minutes).

    A call without a request comes from code running inside jaring (a script, the test client's
    ``login``), never from a browser: it has no address to throttle by, so it goes on to the password
    check instead of failing as django-axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
