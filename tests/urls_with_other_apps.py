"""The project's URLs plus stand-ins for the pages other parts of the team are building, to test the
landing page once they exist."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def stand_in(request):
    return HttpResponse("stand-in")


dashboards = ([path("", stand_in, name="overview")], "dashboards")

urlpatterns = [
    path("dashboards/", include(dashboards)),
    *project_urlpatterns,
]
