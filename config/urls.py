from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ledger import views as ledger_views

from .health import favicon, healthz

admin.site.site_header = "村级集体经济台账系统"
admin.site.site_title = "村级集体经济台账系统"
admin.site.index_title = "管理后台"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Login, logout and password change only: passwords are reset by an administrator (intranets
    # usually have no mail server), so Django's e-mail reset pages are not offered.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("dashboards/", include("dashboards.urls")),
    # 财务公开: public pages (no login) and the county's switch for them.
    path("public/", include("disclosure.urls")),
    path("disclosure/", include("disclosure.manage_urls")),
    path("api/v1/", include("dashboards.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("ledger/", include("ledger.urls")),
    path("", ledger_views.home, name="home"),
]
