"""Imports that go wrong end in a state the user can act on, with nothing half-written:

- two imports creating the same new village-years at once: one writes, the other ends 导入失败 with a
  conflict message, nothing of it written, and can be rerun (real threads, one connection each);
- a check or write whose process died (killed worker, crashed request): 导入失败 after
  IMPORT_STALE_MINUTES or at the next worker start, its task row failed too, rerunnable from its file;
- the fault test itself: `manage.py db_worker` killed with SIGKILL in the middle of a 100,000-line import.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ledger import services
from ledger.importing import services as imports
from ledger.models import ImportBatch, LedgerLine, LedgerYear
from villages.models import Town, Village

from .importfiles import MESSY_WIDE_MERGES, csv_bytes, messy_wide_rows, xlsx

ROOT = Path(__file__).resolve().parent.parent


def messy_file(year=2023):
    return xlsx(("收益分配", messy_wide_rows(year)), merges=MESSY_WIDE_MERGES)


def checked_batch(actor=None, data=None) -> ImportBatch:
    batch = imports.import_batch_create(data=data or messy_file(), filename="八桥镇.xlsx", actor=actor)
    imports.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.READY and batch.years_created == 2
    return batch


def _assert_lost_cleanly(loser: ImportBatch, winner: ImportBatch) -> None:
    loser.refresh_from_db()
    winner.refresh_from_db()
    assert winner.status == ImportBatch.Status.APPLIED
    assert loser.status == ImportBatch.Status.FAILED and loser.progress == 100
    assert "正被另一批次导入" in loser.message and "请稍后重新导入" in loser.message
    assert not LedgerLine.history.filter(history_batch_id=loser.pk).exists()
    assert LedgerYear.objects.count() == 2 and LedgerLine.objects.count() == 7  # the winner's, once


def test_import_planned_against_years_another_import_created_meanwhile_fails_cleanly_and_reruns(world):
    first, second = checked_batch(), checked_batch()
    original = imports._set_progress

    def other_writes_first(batch, progress, **fields):
        original(batch, progress, **fields)
        if batch.pk == second.pk and progress == imports.PROGRESS_WRITING:
            # The other import commits between this one's re-check and its write.
            imports.import_batch_apply(batch=ImportBatch.objects.get(pk=first.pk))

    imports._set_progress = other_writes_first
    try:
        imports.import_batch_apply(batch=second)
    finally:
        imports._set_progress = original
    _assert_lost_cleanly(second, first)

    imports.import_batch_rerun(batch=second)
    imports.import_batch_check(batch=second)
    assert second.status == ImportBatch.Status.READY and second.years_unchanged == 2
    imports.import_batch_apply(batch=second)
    assert second.status == ImportBatch.Status.APPLIED


def _in_threads(*targets):
    errors = []

    def run(target):
        try:
            target()
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_creating_the_same_years_at_once_one_writes_the_other_fails_with_a_conflict(world):
    """Both plan 新建 for the same years, then write at the same moment, each on its own connection."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite test database refuses a second writer at once instead of waiting "
                    "(a file database waits: the test above is that case)")
    batches = [checked_batch(), checked_batch()]
    ready = threading.Barrier(2, timeout=60)
    original = imports._set_progress

    def write_together(batch, progress, **fields):
        original(batch, progress, **fields)
        if progress == imports.PROGRESS_WRITING:
            ready.wait()

    imports._set_progress = write_together
    try:
        _in_threads(*[lambda b=b: imports.import_batch_apply(batch=ImportBatch.objects.get(pk=b.pk)) for b in batches])
    finally:
        imports._set_progress = original
    statuses = sorted(ImportBatch.objects.filter(pk__in=[b.pk for b in batches]).values_list("status", "pk"))
    assert [status for status, _ in statuses] == ["applied", "failed"]
    winner, loser = (ImportBatch.objects.get(pk=pk) for _, pk in statuses)
    _assert_lost_cleanly(loser, winner)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_insert_race_on_the_unique_index_is_a_conflict_not_a_500(world):
    """PostgreSQL: neither sees the other's new rows when it looks, both insert; the index decides."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the inserts cannot race (the test above covers it)")
    batches = [checked_batch(), checked_batch()]
    looked = threading.Barrier(2, timeout=60)
    original = services._locked_years

    def look_together(keys):
        found = original(keys)
        looked.wait()
        return found

    services._locked_years = look_together
    try:
        _in_threads(*[lambda b=b: imports.import_batch_apply(batch=ImportBatch.objects.get(pk=b.pk)) for b in batches])
    finally:
        services._locked_years = original
    statuses = sorted(ImportBatch.objects.filter(pk__in=[b.pk for b in batches]).values_list("status", "pk"))
    assert [status for status, _ in statuses] == ["applied", "failed"]
    _assert_lost_cleanly(*(ImportBatch.objects.get(pk=pk) for _, pk in reversed(statuses)))


def _running(batch: ImportBatch, minutes_ago: float, **fields) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.RUNNING, progress=40, progress_at=timezone.now() - timedelta(minutes=minutes_ago),
        **fields)
    batch.refresh_from_db()
    return batch


def _task_row(batch: ImportBatch, status="RUNNING") -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status, task_path="ledger.tasks.apply_import", args_kwargs={"args": [batch.pk, None], "kwargs": {}},
        backend_name="default", queue_name="default", run_after=timezone.now(), worker_ids=["dead"])


def test_batch_without_progress_for_the_stale_minutes_fails_with_the_reason_and_its_task_too(world, settings):
    settings.IMPORT_STALE_MINUTES = 10
    stuck, busy = _running(checked_batch(), 11), _running(checked_batch(), 2)
    stuck_task, busy_task = _task_row(stuck), _task_row(busy)
    assert imports.import_batches_fail_stale() == [stuck.pk]
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert stuck.status == ImportBatch.Status.FAILED
    assert stuck.message == "导入进程意外中断（超过 10 分钟没有进展），未写入任何数据，可重新导入。"
    assert busy.status == ImportBatch.Status.RUNNING  # still moving: left alone
    stuck_task.refresh_from_db()
    busy_task.refresh_from_db()
    assert (stuck_task.status, busy_task.status) == ("FAILED", "RUNNING")
    assert imports.import_batches_fail_stale() == []  # nothing left to do


def test_a_foreground_check_that_died_leaves_a_pending_batch_that_goes_stale_too(world, settings):
    batch = imports.import_batch_create(data=messy_file(), filename="a.xlsx")
    ImportBatch.objects.filter(pk=batch.pk).update(progress=10, progress_at=timezone.now() - timedelta(hours=1))
    assert imports.import_batches_fail_stale() == [batch.pk]


def test_worker_start_fails_what_the_worker_was_running_however_recent(world, settings):
    settings.IMPORT_BACKGROUND_MIN_KB = 1  # these files go to the worker
    taken = _running(checked_batch(), 0)
    out = __import__("io").StringIO()
    call_command("fail_stale_imports", "--worker-start", stdout=out)
    taken.refresh_from_db()
    assert taken.status == ImportBatch.Status.FAILED and "导入进程已重新启动" in taken.message
    assert "1 个中断的批次" in out.getvalue()


def test_stale_batch_page_says_failed_offers_rerun_and_rerun_checks_again(world, people, client):
    batch = _running(checked_batch(actor=people["dave"]), 60)
    client.force_login(people["dave"])
    page = client.get(reverse("ledger:import_detail", args=[batch.pk])).content.decode()
    assert "导入失败" in page and "导入进程意外中断" in page and 'id="import-rerun"' in page
    assert client.post(reverse("ledger:import_confirm", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED  # confirming a failed batch is still refused
    client.post(reverse("ledger:import_rerun", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY and batch.years_created == 2
    client.post(reverse("ledger:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and LedgerLine.objects.count() == 7


def test_rerun_is_only_for_failed_batches(world):
    batch = checked_batch()
    with pytest.raises(services.LedgerError):
        imports.import_batch_rerun(batch=batch)


def test_a_crash_in_a_foreground_check_ends_failed_not_pending(world, people, client, monkeypatch):
    def crash(**kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(imports, "import_check", crash)
    client.force_login(people["dave"])
    upload = __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile("a.xlsx", messy_file())
    response = client.post(reverse("ledger:import_upload"), {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.status == ImportBatch.Status.FAILED
    assert "MemoryError" in batch.message


# The fault test: a real worker, killed in the middle of a large import.

ITEMS_2004 = ["经营收入", "发包及上交收入", "投资收益", "经营支出", "管理费用", "补助收入", "其他收入", "其他支出"]
YEARS = [2019, 2020, 2021, 2022, 2023]


def _large_world_and_file(villages_needed: int = 2500) -> tuple[bytes, int]:
    county = world_county = __import__("villages.models", fromlist=["County"]).County.objects.create(
        code="321183000000", name="测试县")
    villages = []
    number = 100
    while len(villages) < villages_needed:
        town = Town.objects.create(county=county, code=f"321183{number:03d}000", name=f"测试{number}镇")
        villages += Village.objects.bulk_create(
            [Village(town=town, code=f"{town.code[:9]}{n:03d}", name=f"{number}镇{n}村") for n in range(200, 400)]
            [: villages_needed - len(villages)])
        number += 1
    del world_county
    names = {town.pk: town.name for town in Town.objects.filter(county=county)}
    rows = [["年度", "乡镇", "区划代码", "村", "科目", "项目", "金额(元)"]]
    for year in YEARS:
        for village in villages:
            for index, item in enumerate(ITEMS_2004):
                amount = Decimal(10000 + (index * 104729 + year + int(village.code[-6:])) % 5_000_000) / 100
                rows.append([year, names[village.town_id], village.code, village.name, item, "", amount])
    return csv_bytes(rows), len(rows) - 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_killed_mid_import_leaves_nothing_written_the_batch_fails_and_reruns_to_applied(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs the test database on a server (PostgreSQL)")
    data, line_count = _large_world_and_file()
    assert line_count >= 100_000 and len(data) > settings.IMPORT_BACKGROUND_MIN_KB * 1024
    batch = imports.import_batch_create(data=data, filename="大文件.csv")
    imports.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.READY and batch.line_count == line_count
    imports.import_batch_queue(batch=batch)
    task = DBTaskResult.objects.create(
        task_path="ledger.tasks.apply_import", args_kwargs={"args": [batch.pk, None], "kwargs": {}},
        backend_name="default", queue_name="default", run_after=timezone.now())

    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "MEDIA_ROOT": str(settings.MEDIA_ROOT),
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend"}
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "worker.log").open("w"))
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # until the worker is writing (导入中, past its own check)
            batch.refresh_from_db()
            if batch.status == ImportBatch.Status.RUNNING and batch.progress == imports.PROGRESS_WRITING:
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.05)
        else:
            pytest.fail("the worker never started writing")
        time.sleep(0.5)  # in the middle of the write
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING  # what the user saw: stuck at 40 %
    assert LedgerYear.objects.count() == 0 and LedgerLine.objects.count() == 0  # nothing half-written

    # The next worker start (or the stale timeout) ends it; PostgreSQL may take a moment to notice
    # the dead connection and release its locks.
    for _ in range(100):
        if imports.import_batches_fail_stale(worker_restarted=True):
            break
        time.sleep(0.3)
    batch.refresh_from_db()
    task.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "导入进程意外中断" in batch.message
    assert task.status == "FAILED"
    assert LedgerYear.objects.count() == 0 and LedgerLine.objects.count() == 0

    imports.import_batch_rerun(batch=batch)
    imports.import_batch_check(batch=batch)
    assert batch.status == ImportBatch.Status.READY
    imports.import_batch_apply(batch=batch)
    assert batch.status == ImportBatch.Status.APPLIED
    assert LedgerLine.objects.count() == line_count and LedgerYear.objects.count() == 2500 * len(YEARS)
