from django.apps import AppConfig
from django.db.backends.signals import connection_created


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "排行与看板"

    def ready(self) -> None:
        from .aggregates import register_sqlite_median

        connection_created.connect(register_sqlite_median, dispatch_uid="dashboards_sqlite_median")
