"""Pages are in Indonesian unless the user chose English (the header's language button, kept in the
language cookie); the browser's Accept-Language does not switch them, so a teller's phone set to English
still shows the desk in Indonesian. The partner API (/api/) keeps answering in the language its client asks
for with Accept-Language (docs/api.md).
"""

API_PREFIX = "/api/"


class PagesSpeakIndonesian:
    """Placed before ``LocaleMiddleware``: hides Accept-Language from it on every page but the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
