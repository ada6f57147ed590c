from django.urls import path

from . import views
from .import_urls import import_urlpatterns

app_name = "ledger"

urlpatterns = [
    path("towns/", views.town_list, name="town_list"),
    path("towns/<int:pk>/", views.town_villages, name="town_villages"),
    path("towns/<int:pk>/transition/", views.town_transition, name="town_transition"),
    path("villages/<int:village_pk>/<int:year>/", views.village_year, name="village_year"),
    path("villages/<int:village_pk>/<int:year>/transition/", views.village_year_transition,
         name="village_year_transition"),
    *import_urlpatterns,
]
