from django.urls import path

from . import oversight_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("villages/", views.village_table, name="villages"),
    path("towns/", views.town_table, name="towns"),
    path("tiers/", views.tiers, name="tiers"),
    path("tiers/settings/<int:county_pk>/", views.tier_settings, name="tier_settings"),
    path("organizations/", views.organizations, name="organizations"),
    path("village/<int:pk>/", views.village_profile, name="village"),
    path("progress/", oversight_views.progress, name="progress"),
    path("warnings/", oversight_views.warnings, name="warnings"),
    path("warnings/review/", oversight_views.warning_review, name="warning_review"),
    path("warnings/rules/<int:county_pk>/", oversight_views.warning_rules, name="warning_rules"),
]
