"""Chinese unless the user chose otherwise.

Township computers often run English-language browsers; their Accept-Language header must not turn
the pages English. A user who wants English picks it (Django's `set_language` view stores the choice
in a cookie, which LocaleMiddleware reads first).
"""


class IgnoreBrowserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
