"""Dashboards may read from a PostgreSQL read replica (DATABASE_REPLICA_URL); everything else, and every
write, uses the primary. Plain Django multi-database routing: views wrapped in `reading_replica()`
send their ORM reads to the "replica" alias when it is configured.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_on_replica: ContextVar[bool] = ContextVar("read_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_db() -> str:
    """The database alias reads should use right now (for raw SQL that bypasses the router)."""
    return REPLICA if _on_replica.get() and replica_configured() else "default"


@contextmanager
def reading_replica():
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_db()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
