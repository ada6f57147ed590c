from django.urls import path, register_converter

from . import views

app_name = "disclosure"


class DivisionCode:
    """A 12-digit 统计用区划代码: the only way a public URL names a place (no internal ids)."""

    regex = "[0-9]{12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DivisionCode, "division")

urlpatterns = [
    path("", views.index, name="index"),
    path("county/<division:county_code>/", views.county, name="county"),
    path("town/<division:town_code>/", views.town, name="town"),
    path("village/<division:village_code>/", views.village, name="village"),
    path("village/<division:village_code>/<int:year>/", views.village, name="village_year"),
    path("village/<division:village_code>/poster/", views.poster, name="poster"),
    path("village/<division:village_code>/<int:year>/poster/", views.poster, name="poster_year"),
    path("village/<division:village_code>/qr.svg", views.qr, name="qr"),
]
