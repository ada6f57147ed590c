from django.contrib import admin
from django.urls import include, path

from ledger import views as ledger_views

from .health import favicon, healthz

admin.site.site_header = "村级集体经济台账系统"
admin.site.site_title = "村级集体经济台账系统"
admin.site.index_title = "管理后台"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("ledger/", include("ledger.urls")),
    path("", ledger_views.home, name="home"),
]
