from django.urls import path

from . import views, workflow_views
from .import_urls import import_urlpatterns

app_name = "ledger"

urlpatterns = [
    path("towns/", views.town_list, name="town_list"),
    path("towns/<int:pk>/", views.town_villages, name="town_villages"),
    path("towns/<int:pk>/transition/", workflow_views.town_transition, name="town_transition"),
    path("towns/<int:pk>/review/", workflow_views.review_queue, name="review_queue"),
    path("villages/<int:village_pk>/<int:year>/", views.village_year, name="village_year"),
    path("villages/<int:village_pk>/<int:year>/transition/", workflow_views.village_year_transition,
         name="village_year_transition"),
    path("villages/<int:village_pk>/<int:year>/delete/", workflow_views.village_year_delete,
         name="village_year_delete"),
    *import_urlpatterns,
]
