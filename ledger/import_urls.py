"""URLs of bulk import and export, included by `ledger.urls` under the `ledger` namespace."""

from django.urls import path

from . import import_views

import_urlpatterns = [
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/upload/", import_views.import_upload, name="import_upload"),
    path("imports/template/", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/rerun/", import_views.import_rerun, name="import_rerun"),
    path("imports/<int:pk>/undo/", import_views.import_undo, name="import_undo"),
    path("imports/<int:pk>/skip-refused/", import_views.import_skip_refused, name="import_skip_refused"),
    path("imports/<int:pk>/problems.xlsx", import_views.import_problems_workbook, name="import_problems_workbook"),
    path("imports/<int:pk>/file/", import_views.import_file, name="import_file"),
    path("exports/ledger.xlsx", import_views.ledger_export, name="ledger_export"),
]
