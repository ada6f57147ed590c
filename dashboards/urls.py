from django.urls import path

from . import issue_views, oversight_views, report_views, screen_views, token_views, views

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
    # Published 比拼晾晒 issues, the hall screen, the API tokens (issue 14).
    path("issues/", issue_views.issue_list, name="issues"),
    path("issues/new/", issue_views.issue_new, name="issue_new"),
    path("issues/<int:pk>/", issue_views.issue_detail, name="issue"),
    path("issues/<int:pk>/print/", issue_views.issue_print, name="issue_print"),
    path("screen/", screen_views.screen, name="screen"),
    path("api-tokens/", token_views.token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", token_views.token_revoke, name="api_token_revoke"),
    path("progress/", oversight_views.progress, name="progress"),
    path("warnings/", oversight_views.warnings, name="warnings"),
    path("warnings/review/", oversight_views.warning_review, name="warning_review"),
    path("warnings/rules/<int:county_pk>/", oversight_views.warning_rules, name="warning_rules"),
]
