from django.urls import path

from . import manage_views

app_name = "disclosure_manage"

urlpatterns = [
    path("", manage_views.settings_page, name="settings"),
]
