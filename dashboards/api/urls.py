"""`/api/v1/` (config.urls includes it): the routes django-ninja makes from `endpoints.api`, with the
OpenAPI description at `openapi.json` and its docs page at `docs` (Swagger UI from ninja's own static
files, no CDN)."""

from .endpoints import api

# The namespace ninja reverses its own URLs in (`urls_namespace`), used as the app name of the include.
urlpatterns = api.urls[0]
app_name = api.urls_namespace
