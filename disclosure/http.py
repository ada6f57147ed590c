"""What every public page shares: GET only, throttled per address, cacheable by browsers and proxies.

Throttling is django-ratelimit's counter in Django's cache (`PUBLIC_RATE_LIMIT` requests per address,
e.g. "120/m"; with the default local-memory cache the count is per server process). A page answers
with `Cache-Control: public, max-age=PUBLIC_MAX_AGE` and an ETag of its content, so a phone that
reloads gets 304; the short max-age keeps a reopened year from being shown for long after.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django_ratelimit.core import is_ratelimited

RETRY_AFTER_SECONDS = 60


def public_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if is_ratelimited(request, group="disclosure", key="ip", rate=settings.PUBLIC_RATE_LIMIT, increment=True):
            response = render(request, "disclosure/throttled.html", status=429)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapped
