"""The background worker lives through a database restart (issue #12 item 19): `manage.py run_worker`
is django-tasks-db's loop, restarted with a backoff after a connection error instead of exiting."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django.test import override_settings
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet

from ledger.management.commands.run_worker import ResilientWorker

RUNS = []


@task()
def remember(value: str) -> None:
    RUNS.append(value)


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def flaky_get_locked(failures: list[Exception]):
    """`get_locked` that raises the given errors first (the database gone), then works again."""
    real = DBTaskResultQuerySet.get_locked

    def get_locked(queryset):
        if failures:
            raise failures.pop(0)
        return real(queryset)

    return get_locked


# The worker closes "old" connections each round (as Django does between requests): inside a test
# transaction that would close the test's own connection, so these tests run outside one.
@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True)
def test_run_worker_survives_a_database_restart_and_runs_the_queued_task():
    RUNS.clear()
    remember.enqueue("导入 八桥镇2025台账.xlsx")
    outage = [OperationalError("terminating connection due to administrator command"),
              InterfaceError("connection already closed"),
              OperationalError("connection refused")]
    waits = []
    with mock.patch.object(DBTaskResultQuerySet, "get_locked", flaky_get_locked(outage)), \
            mock.patch.object(ResilientWorker, "configure_signals"), \
            mock.patch("ledger.management.commands.run_worker.time.sleep", waits.append), \
            mock.patch("ledger.management.commands.run_worker.close_dead_connections") as closed:
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*",
                     "--max-retry-delay", "5", verbosity=0)
    assert RUNS == ["导入 八桥镇2025台账.xlsx"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert waits == [1, 2, 4]  # backoff between reconnects
    assert closed.call_count == 3  # the dead connections are dropped each time


@override_settings(TASKS=DATABASE_TASKS)
@pytest.mark.django_db(transaction=True)
def test_db_worker_alone_exits_on_a_connection_error():
    # Why run_worker exists: the library's worker stops for good at the first outage.
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="w", excluded_queue_names=[])
    with mock.patch.object(DBTaskResultQuerySet, "get_locked",
                           flaky_get_locked([OperationalError("connection refused")])), \
            pytest.raises(OperationalError):
        worker.run()


def test_the_backoff_is_capped_and_other_errors_still_stop_the_worker():
    waits = []
    worker = ResilientWorker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                             startup_delay=False, max_tasks=None, worker_id="w", excluded_queue_names=[],
                             max_retry_delay=3, sleep=waits.append)
    errors = [OperationalError("down")] * 4 + [ValueError("a bug")]
    with mock.patch.object(Worker, "run", side_effect=errors), \
            mock.patch("ledger.management.commands.run_worker.close_dead_connections"), \
            pytest.raises(ValueError):
        worker.run()
    assert waits == [1, 2, 3, 3]
    assert worker.outages == 4
