"""`manage.py run_worker`: django-tasks-db's `db_worker`, kept alive through database outages.

`db_worker` exits on the first connection error (a PostgreSQL restart, a cut connection), and the
imports queued after that wait until someone restarts it. This command runs the same worker loop;
when the database goes away it closes the dead connections, waits (1 s, 2 s, 4 s … up to
`--max-retry-delay`) and carries on, so the worker comes back on its own when the database does.
The options are `db_worker`'s, plus `--max-retry-delay`.
"""

import contextlib
import logging
import os
import time
from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("django_tasks_db")

CONNECTION_ERRORS = (OperationalError, InterfaceError)


def close_dead_connections() -> None:
    """Drop every connection of this thread; the next query opens a new one."""
    for connection in connections.all(initialized_only=True):
        # Closing a dead connection can fail; Django forgets it all the same.
        with contextlib.suppress(DatabaseError):
            connection.close()


class ResilientWorker(db_worker.Worker):
    """`db_worker`'s loop, restarted after a connection error with an exponential backoff."""

    def __init__(self, *, first_retry_delay: float = 1.0, max_retry_delay: float = 60.0,
                 sleep: Callable[[float], None] | None = None, **options):
        super().__init__(**options)
        self.first_retry_delay = first_retry_delay
        self.max_retry_delay = max_retry_delay
        self.sleep = sleep or time.sleep
        self.outages = 0

    def run(self) -> None:
        delay = self.first_retry_delay
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return  # --batch or --max-tasks reached: the worker's own end
            except CONNECTION_ERRORS as exc:
                if isinstance(exc, OperationalError) and is_locked_database_exception(exc):
                    delay = self.first_retry_delay  # SQLite busy: not an outage, retry soon
                elif time.monotonic() - started > self.max_retry_delay:
                    delay = self.first_retry_delay  # it had been working since the last outage
                self.outages += 1
                logger.warning("数据库连接中断（%s）：%.0f 秒后重新连接，后台任务继续。", exc, delay)
                close_dead_connections()
                self.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)


class Command(db_worker.Command):
    help = ("运行后台任务（大文件导入）：django-tasks-db 的 db_worker，数据库重启或断线后自动重连，不退出。"
            " Run the background worker; survives database restarts.")

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--max-retry-delay", type=db_worker.valid_interval, default=60,
                            help="数据库断开后重连的最长等待秒数（默认 %(default)s）。")

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, max_retry_delay, **options) -> None:
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=excluded_queue_names, max_retry_delay=max_retry_delay,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
