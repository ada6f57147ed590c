from django.urls import path

from . import report_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("villages/", views.village_table, name="villages"),
    path("towns/", views.town_table, name="towns"),
    path("tiers/", views.tiers, name="tiers"),
    path("tiers/settings/<int:county_pk>/", views.tier_settings, name="tier_settings"),
    path("organizations/", views.organizations, name="organizations"),
    path("village/<int:pk>/", views.village_profile, name="village"),
    path("report/", report_views.report, name="report"),
    path("report/print/", report_views.report_print, name="report_print"),
]
