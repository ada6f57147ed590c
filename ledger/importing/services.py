"""Imports of ledger files, from upload to undo: every change of an `ImportBatch` happens here.

A batch goes 待检查 → (排队中 → 导入中 →) 待确认 or 有错误; once confirmed (排队中 →) 导入中 → 已导入 or
有错误; 已导入 → 已撤销; 导入失败 when the worker raises, when another import wrote the same village-years
at the same moment, or when its worker died (`import_batches_fail_stale`); a failed batch is checked
again from its stored file (`import_batch_rerun`) and confirmed as a new one would be. The pages (`ledger.import_views`), the worker (`ledger.tasks`) and `manage.py import_ledger`
call these functions and write no status of their own. Reading is `reader` → `parser` → `planner`;
the village-years are written by the bulk services of `ledger.services`.
"""

import gc
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from villages.access import visible_villages
from villages.models import Town, Village

from ..bulk import CHUNK_SIZE, chunked
from ..models import ImportBatch, LedgerLine, LedgerYear, LedgerYearEvent
from ..services import (
    ConcurrentWrite,
    LedgerError,
    LedgerLocked,
    ledger_years_open_many,
    ledger_years_transition,
    replace_statements,
)
from ..statements import LineInput
from .parsed import ParsedFile
from .parser import Catalog, parse_sheets
from .places import Places
from .planner import SKIPPED, Plan, plan_import, refused
from .problems import FileRejected, Problem
from .reader import read_sheets, sniff_format

# How many village-years a refusal names (locked years, years edited since the import).
NAMES_IN_MESSAGE = 50
# A batch's progress bar (per cent) at each stage; 100 when it has finished, whatever the outcome.
PROGRESS_CHECKING, PROGRESS_APPLYING, PROGRESS_WRITING, PROGRESS_DONE = 10, 5, 40, 100
MAX_MESSAGE = 2000  # characters of a failure's message kept on the batch


@dataclass
class ImportCheck:
    """The outcome of reading a file: how it was read, what it would do, and every problem."""

    file_format: str = ""
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    parsed: ParsedFile | None = None
    plan: Plan | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def _bulk_work() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while an import builds and writes ~10⁶ small objects
    (cells, lines, rows) that hold no cycles: its full passes over them cost a third of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_check(*, data: bytes, villages: QuerySet[Village] | None = None, town: Town | None = None,
                 year: int | None = None, skip: set[tuple[int, int]] | frozenset = frozenset(),
                 skip_refused: bool = False) -> ImportCheck:
    """Read a ledger file and compare it with the database, writing nothing.

    `villages` is the scope the file may write to (default: all); `town` and `year` are what the
    uploader said, used where the file does not say it and checked where it does. The village-years
    in `skip` (village id, year) that the import may not write (approved, or in review) are left out
    and reported as skipped rather than as problems; `skip_refused` leaves out every such year.
    """
    with _bulk_work():
        return _import_check(data=data, villages=villages, town=town, year=year, skip=skip,
                             skip_refused=skip_refused)


def _import_check(*, data: bytes, villages, town, year, skip=frozenset(), skip_refused=False) -> ImportCheck:
    check = ImportCheck()
    villages = (villages if villages is not None else Village.objects.all()).select_related("town")
    towns = Town.objects.filter(pk__in=villages.values("town_id"))
    lookups = {}

    def load_lookups() -> None:  # the scope's villages and the line names, while the file is read
        lookups.update(catalog=Catalog(), places=Places(villages, towns))

    try:
        check.file_format, sheets = read_sheets(data, meanwhile=load_lookups)
    except FileRejected as exc:
        check.problems = exc.problems or [Problem.general(exc.message)]
        return check
    parsed = parse_sheets(sheets, **lookups, town=town, year=year)
    del sheets
    check.parsed, check.notes = parsed, parsed.notes
    check.problems = list(parsed.problems)
    if not check.problems and not parsed.statements:
        check.problems.append(Problem.general("文件中没有任何村的金额，没有可导入的内容"))
    if not check.problems:
        check.plan = plan_import(parsed, skip=skip, skip_refused=skip_refused)
        check.problems += check.plan.problems
        # What the user chose to leave out is not written: the write reads the statements.
        for row in check.plan.rows:
            if row["action"] == SKIPPED:
                parsed.statements.pop((row["village_id"], row["year"]), None)
    return check


def _scope_of(batch: ImportBatch) -> QuerySet[Village]:
    return visible_villages(batch.created_by) if batch.created_by_id else Village.objects.all()


def import_batch_create(*, data: bytes, filename: str, actor=None, town: Town | None = None, year: int | None = None,
                        submit: bool = False) -> ImportBatch:
    """Keep an uploaded file (who, when, the file, its hash) as a new import batch; nothing is read yet.

    With `submit` the village-years the import writes are submitted for review (see ImportBatch.submit).
    """
    try:  # from the first bytes, so that a queued file already says what it is
        file_format = sniff_format(data) if data else ""
    except FileRejected:
        file_format = ""
    batch = ImportBatch(created_by=actor if getattr(actor, "pk", None) else None,
                        filename=os.path.basename(filename)[:255] or "upload", sha256=hashlib.sha256(data).hexdigest(),
                        size=len(data), town=town, year=year, submit=submit, file_format=file_format)
    batch.file.save(batch.filename, ContentFile(data), save=False)
    batch.save()
    return batch


def import_batch_queue(*, batch: ImportBatch) -> ImportBatch:
    """Mark the batch 排队中 for the worker (its check or its write); the caller enqueues the task once
    the transaction commits."""
    batch.status, batch.progress, batch.progress_at = ImportBatch.Status.QUEUED, 0, timezone.now()
    batch.save(update_fields=["status", "progress", "progress_at"])
    return batch


def _set_progress(batch: ImportBatch, progress: int, **fields) -> None:
    # Outside the import's transaction, so that a polling page sees it at once.
    fields["progress"], fields["progress_at"] = progress, timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    for name, value in fields.items():
        setattr(batch, name, value)


def batch_data(batch: ImportBatch) -> bytes:
    """The batch's stored file, as uploaded."""
    with batch.file.open("rb") as handle:
        return handle.read()


def _record_check(batch: ImportBatch, check: ImportCheck) -> None:
    batch.file_format = check.file_format or batch.file_format
    batch.errors = [problem.as_dict() for problem in check.problems]
    batch.message = "\n".join(check.notes)
    if check.parsed is not None:
        batch.rows_read = check.parsed.rows_read
        batch.line_count = check.parsed.line_count
    if check.plan is not None:
        batch.preview = check.plan.rows
        batch.years_created = check.plan.count("created")
        batch.years_changed = check.plan.count("changed")
        batch.years_unchanged = check.plan.count("unchanged")
        totals = check.plan.totals
        batch.lines_created, batch.lines_changed, batch.lines_deleted = (
            totals["lines_created"], totals["lines_changed"], totals["lines_deleted"])


def _finish_invalid(batch: ImportBatch) -> ImportBatch:
    batch.status, batch.progress = ImportBatch.Status.INVALID, PROGRESS_DONE
    batch.save()
    return batch


def import_batch_check(*, batch: ImportBatch) -> ImportBatch:
    """Read the batch's file and store the preview (status 待确认) or every problem (status 有错误)."""
    _set_progress(batch, PROGRESS_CHECKING, status=ImportBatch.Status.RUNNING
                  if batch.status == ImportBatch.Status.QUEUED else batch.status)
    check = import_check(data=batch_data(batch), villages=_scope_of(batch), town=batch.town, year=batch.year)
    _record_check(batch, check)
    batch.status = ImportBatch.Status.READY if check.ok else ImportBatch.Status.INVALID
    batch.progress = PROGRESS_DONE if not check.ok else 0
    batch.save()
    return batch


def import_batch_apply(*, batch: ImportBatch, actor=None, check: ImportCheck | None = None) -> ImportBatch:
    """Write a checked import: every village-year in the file gets the file's statement, in one transaction.

    The file is read again (the database may have changed since the preview); any problem, including
    a village-year approved since, leaves everything as it was and the batch 有错误. Lines and their
    history (source 导入, this batch's id), the figures, the versions and the 导入 events are written
    in bulk; what undo needs is kept on the batch.
    """
    when = timezone.now()
    # The versions the confirmed preview was made against: a year written since (by a user, or by
    # another import creating the same years) is not overwritten unseen.
    seen = _planned_versions(batch.preview) if check is None else None
    skip = skipped_keys(batch)
    _set_progress(batch, PROGRESS_APPLYING, status=ImportBatch.Status.RUNNING)
    if check is None:
        check = import_check(data=batch_data(batch), villages=_scope_of(batch), town=batch.town, year=batch.year,
                             skip=skip)
    _record_check(batch, check)
    if not check.ok:
        return _finish_invalid(batch)
    if check.plan is not None:
        seen = {**_planned_versions(check.plan.rows), **(seen or {})}
    if not check.plan.count("created") and not check.plan.count("changed"):
        # The file says what the database already says (the plan was made just now): nothing to write.
        batch.undo_data = {"created": [], "before": {}, "versions": {}, "skipped": _skipped_list(check.plan)}
        batch.status, batch.progress, batch.applied_at = ImportBatch.Status.APPLIED, PROGRESS_DONE, when
        batch.save()
        return batch
    _set_progress(batch, PROGRESS_WRITING)
    try:
        with _bulk_work(), transaction.atomic():
            _claim(batch)
            batch.undo_data = _write(batch, check.parsed, check.plan, actor=actor, when=when, seen=seen)
            batch.undo_data["skipped"] = _skipped_list(check.plan)
            batch.status, batch.progress, batch.applied_at = ImportBatch.Status.APPLIED, PROGRESS_DONE, when
            batch.save()
    except ConcurrentWrite as exc:
        batch.errors = [Problem.general(str(exc)).as_dict()]
        _finish_failed(batch, str(exc))
    except OperationalError as exc:
        if "locked" not in str(exc):  # SQLite: another import held the database past the timeout
            raise
        batch.errors = [Problem.general(ConcurrentWrite.MESSAGE).as_dict()]
        _finish_failed(batch, ConcurrentWrite.MESSAGE)
    except LedgerError as exc:
        batch.errors = [Problem.general(str(exc)).as_dict()]
        _finish_invalid(batch)
    return batch


def skipped_keys(batch: ImportBatch) -> set[tuple[int, int]]:
    """The village-years the user chose to leave out of this batch (`import_batch_skip_refused`)."""
    return {(row["village_id"], row["year"]) for row in batch.preview if row.get("action") == SKIPPED}


def _skipped_list(plan: Plan | None) -> list[list[int]]:
    return [[row["village_id"], row["year"]] for row in (plan.rows if plan else []) if row["action"] == SKIPPED]


def refused_rows(batch: ImportBatch) -> list[dict]:
    """The preview rows of village-years the import may not write now (approved, in review)."""
    return [row for row in batch.preview if row.get("refused") and row.get("action") != SKIPPED]


def can_skip_refused(batch: ImportBatch) -> bool:
    """Whether a rejected batch was rejected only for village-years it may not write, with others to
    import: then the user may choose to leave those out (`import_batch_skip_refused`)."""
    if batch.status != ImportBatch.Status.INVALID or not batch.errors:
        return False
    if not all(Problem.from_dict(error).skippable for error in batch.errors):
        return False
    refused_keys = {(row["village_id"], row["year"]) for row in refused_rows(batch)}
    return bool(refused_keys) and any((row["village_id"], row["year"]) not in refused_keys
                                      and row.get("action") != SKIPPED for row in batch.preview)


@transaction.atomic
def import_batch_skip_refused(*, batch: ImportBatch, actor=None) -> ImportBatch:
    """Leave out of a rejected batch the village-years it may not write (approved, or in review and
    changed by the file), as the user explicitly asked: they are recorded on the batch as skipped
    (shown on its page, kept after the write) and the batch is 待确认 for the others. Nothing else
    is skipped: the write reads the file again and any other problem rejects it as before."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_skip_refused(batch):
        raise LedgerError("这个批次没有可以跳过的已审核村年度，或还有其他问题需要先更正文件。")
    refused_keys = {(row["village_id"], row["year"]) for row in refused_rows(batch)}
    for row in batch.preview:
        if (row["village_id"], row["year"]) in refused_keys:
            row["action"] = SKIPPED
    who = (actor.get_full_name() or actor.username) if getattr(actor, "pk", None) else ""
    note = f"按{who}的选择跳过 {len(refused_keys)} 个不能导入的村年度（已审核或审核中），只导入其余村年度。"
    batch.message = "\n".join(line for line in (batch.message, note) if line)
    batch.errors = []
    batch.status, batch.progress = ImportBatch.Status.READY, 0
    batch.years_created = sum(1 for row in batch.preview if row["action"] == "created")
    batch.years_changed = sum(1 for row in batch.preview if row["action"] == "changed")
    batch.years_unchanged = sum(1 for row in batch.preview if row["action"] == "unchanged")
    batch.save()
    return batch


def _planned_versions(rows: list[dict]) -> dict[tuple[int, int], int]:
    # Rows of batches previewed before versions were kept have none: nothing to compare.
    return {(row["village_id"], row["year"]): row["version"] for row in rows if "version" in row}


def _claim(batch: ImportBatch) -> None:
    """Lock the batch's row for the write: a live writer holds it until it commits, which is how
    `import_batches_fail_stale` (skip_locked) tells a slow import from a dead one; and a batch marked
    failed meanwhile is not written after all."""
    if not ImportBatch.objects.select_for_update().filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).exists():
        raise LedgerError("这个批次已被标记为导入失败（导入进程中断），未写入任何数据，请重新导入。")


def _finish_failed(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status, batch.progress, batch.message = ImportBatch.Status.FAILED, PROGRESS_DONE, message[:MAX_MESSAGE]
    batch.save()
    return batch


def _write(batch: ImportBatch, parsed: ParsedFile, plan: Plan, *, actor, when,
           seen: dict[tuple[int, int], int] | None = None) -> dict:
    """The writes of `import_batch_apply`, inside its transaction; returns what undo needs.

    `seen` is the version of each village-year the plan was made against (0: not there yet): a year
    that has moved since was written by somebody else meanwhile (`ConcurrentWrite`)."""
    reason = f"导入 {batch.filename}"[:100]
    # One list per village-year, passed to both calls: the new years' figures are computed once.
    lines_by_key = {key: list(lines.values()) for key, lines in parsed.statements.items()}
    opened = ledger_years_open_many(
        keys=[(parsed.villages[village_id], year) for village_id, year in parsed.statements],
        actor=actor, when=when, lines_by_key=lines_by_key, figures_by_key=plan.figures,
    )
    years = opened.years
    if seen:
        moved = [ly for key, ly in years.items() if key in seen
                 and (key not in opened.created if seen[key] == 0
                      else key in opened.created or ly.version != seen[key])]
        if moved:
            raise ConcurrentWrite("、".join(str(ly) for ly in moved[:NAMES_IN_MESSAGE])
                                  + (" 等" if len(moved) > NAMES_IN_MESSAGE else ""))
    # The plan refused these already; the rows are locked now, so this is what holds.
    locked = [ly for ly in years.values() if ly.is_locked or ly.status == LedgerYear.Status.SUBMITTED]
    if locked:
        pending = replace_statements(statements=[(ly, lines_by_key[(ly.village_id, ly.year)]) for ly in locked],
                                     dry_run=True)
        refusals = [f"{ly} {reason}" for ly in locked
                    if (reason := refused(ly, changes_anything=pending[ly.pk].any))]
        if refusals:
            raise LedgerLocked("；".join(refusals[:NAMES_IN_MESSAGE]))
    statements = [(years[key], lines) for key, lines in lines_by_key.items()]
    # What undo puts back: the stored lines of the years that existed before this import.
    before: dict[int, list] = {ly.pk: [] for ly, _ in statements}
    old_ids = [ly.pk for key, ly in years.items() if key not in opened.created]
    for part in chunked(old_ids):
        rows = LedgerLine.objects.filter(ledger_year_id__in=part).values_list(
            "ledger_year_id", "item_id", "name", "amount", "note", "share_id", "enterprise_id")
        for ledger_year_id, item_id, name, amount, note, share_id, enterprise_id in rows.iterator(CHUNK_SIZE):
            before[ledger_year_id].append([item_id, name, str(amount), note, share_id, enterprise_id])
    results = replace_statements(statements=statements, actor=actor, source="import", reason=reason,
                                 batch_id=batch.pk, event_action=LedgerYearEvent.Action.IMPORT, when=when,
                                 inserted=opened.inserted)
    touched = {ly.pk: ly for ly, _ in statements if results[ly.pk].any}
    created = [ly.pk for key, ly in years.items() if key in opened.created and ly.pk in touched]
    created_set = set(created)
    submitted = []
    if batch.submit:  # only what this import wrote: an unchanged year is left as it is
        submitted = ledger_years_transition(ledger_years=list(touched.values()), action=LedgerYearEvent.Action.SUBMIT,
                                            actor=actor, reason=reason, when=when)
    return {
        "created": created,
        "before": {str(pk): before[pk] for pk in touched if pk not in created_set},
        "versions": {str(pk): ly.version for pk, ly in touched.items()},
        # Years that were drafts before: undo puts them back to 草稿.
        "submitted": [ly.pk for ly in submitted if ly.pk not in created_set],
    }


def import_batch_undo(*, batch: ImportBatch, actor=None) -> ImportBatch:
    """Put back what an import replaced, while none of its village-years is approved or edited since.

    Years the import created are removed; the others get their earlier lines back (history source
    导入, this batch's id, a 撤销导入 event).
    """
    if batch.status != ImportBatch.Status.APPLIED:
        raise LedgerError("只有已导入的批次可以撤销。")
    when = timezone.now()
    versions = {int(pk): version for pk, version in batch.undo_data.get("versions", {}).items()}
    created = set(batch.undo_data.get("created", []))
    before = {int(pk): lines for pk, lines in batch.undo_data.get("before", {}).items()}
    reason = f"撤销导入 {batch.filename}"[:100]
    with transaction.atomic():
        current = {ly.pk: ly for ly in LedgerYear.objects.select_for_update().filter(pk__in=list(versions))}
        problems = []
        for pk, ly in current.items():
            if ly.is_locked:
                problems.append(f"{ly} 已审核锁定")
            elif ly.version != versions[pk]:
                problems.append(f"{ly} 在导入后又被修改过")
        if problems:
            raise LedgerLocked("不能撤销：" + "；".join(problems[:NAMES_IN_MESSAGE]) + "。")
        statements = []
        for pk, ly in current.items():
            lines = [] if pk in created else [
                LineInput(item_id=item_id, name=name, amount=Decimal(amount), note=note, share_id=share_id,
                          enterprise_id=enterprise_id)
                for item_id, name, amount, note, share_id, enterprise_id in before.get(pk, [])
            ]
            statements.append((ly, lines))
        replace_statements(statements=statements, actor=actor, source="import", reason=reason, batch_id=batch.pk,
                           event_action=LedgerYearEvent.Action.UNDO_IMPORT, when=when)
        resubmitted = set(batch.undo_data.get("submitted", []))
        ledger_years_transition(ledger_years=[ly for pk, ly in current.items() if pk in resubmitted],
                                action=LedgerYearEvent.Action.WITHDRAW, actor=actor, reason=reason, when=when,
                                event_action=LedgerYearEvent.Action.UNDO_IMPORT)
        # Village-years that only existed because of this import go again, so they do not rank as 空壳村.
        LedgerYear.objects.filter(pk__in=[pk for pk in created if pk in current]).delete()
        batch.status, batch.undone_at = ImportBatch.Status.UNDONE, when
        batch.undone_by = actor if getattr(actor, "pk", None) else None
        batch.save()
    return batch


def import_batch_fail(*, batch: ImportBatch, error: Exception) -> None:
    """The worker's check or write raised: the batch says so (导入失败) instead of a bar that never moves.
    Nothing was written (the write is one transaction)."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, progress=PROGRESS_DONE,
        message=f"导入过程中出错，未写入任何数据（{type(error).__name__}: {error}）"[:MAX_MESSAGE],
    )


# Where a batch stands while something is working on it: a check in the browser's request (待检查),
# or the worker's check or write (导入中).
IN_PROGRESS = (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)
STALE_TASKS = ("ledger.tasks.check_import", "ledger.tasks.apply_import")


def stale_message(minutes: int | None) -> str:
    when = f"超过 {minutes} 分钟没有进展" if minutes else "导入进程已重新启动"
    return f"导入进程意外中断（{when}），未写入任何数据，可重新导入。"


def import_batches_fail_stale(*, minutes: int | None = None, worker_restarted: bool = False,
                              now: datetime | None = None) -> list[int]:
    """Mark 导入失败 the batches whose check or write died with its process: 待检查 or 导入中 with no
    progress for `minutes` (default `IMPORT_STALE_MINUTES`), or, with `worker_restarted`, every batch
    the worker was running (for a single worker, when it starts). Nothing of theirs was written (the
    write is one transaction), so they can be rerun (`import_batch_rerun`). The worker's task row is
    marked failed too. Returns the ids of the batches failed.

    Cheap when nothing is stale (one indexed-free read of a small table), so that the batch pages can
    call it whenever they are read. On PostgreSQL a batch whose write is still going on holds its row
    lock (`_claim`) and is skipped, however long it takes.
    """
    now = now or timezone.now()
    minutes = settings.IMPORT_STALE_MINUTES if minutes is None else minutes
    cutoff = now - timedelta(minutes=minutes)
    stale = Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True, created_at__lt=cutoff)
    if worker_restarted:  # what the worker took (queued work, large files) died with it
        stale |= Q(status=ImportBatch.Status.RUNNING, size__gt=settings.IMPORT_BACKGROUND_MIN_KB * 1024)
    candidates = ImportBatch.objects.filter(stale, status__in=IN_PROGRESS)
    if not candidates.exists():
        return []
    message = stale_message(None if worker_restarted else minutes)
    with transaction.atomic():
        locked = candidates.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        ids = list(locked.values_list("pk", flat=True))
        ImportBatch.objects.filter(pk__in=ids).update(
            status=ImportBatch.Status.FAILED, progress=PROGRESS_DONE, progress_at=now, message=message,
            errors=[Problem.general(message).as_dict()])
        _fail_tasks(ids, message, now)
    return ids


def _fail_tasks(batch_ids: list[int], message: str, now: datetime) -> None:
    """The django-tasks rows of these batches' work, still 运行中 for a worker that is gone."""
    if not batch_ids or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult  # the worker's own table, when that backend is used

    wanted = set(batch_ids)
    rows = DBTaskResult.objects.filter(status="RUNNING", task_path__in=STALE_TASKS).values_list("pk", "args_kwargs")
    dead = [pk for pk, args_kwargs in rows if (args_kwargs or {}).get("args") and args_kwargs["args"][0] in wanted]
    DBTaskResult.objects.filter(pk__in=dead).update(status="FAILED", finished_at=now, traceback=message,
                                                    exception_class_path="ledger.importing.services.StaleImport")


RERUNNABLE = (ImportBatch.Status.FAILED,)


def import_batch_rerun(*, batch: ImportBatch) -> ImportBatch:
    """Check a failed batch again from its stored file, against the database as it is now: it goes
    back to 待检查 and then, as a new upload would, to 待确认 (confirmed again by the user, with a
    fresh preview) or 有错误. The caller runs the check (`import_batch_check`) or queues it."""
    updated = ImportBatch.objects.filter(pk=batch.pk, status__in=RERUNNABLE).update(
        status=ImportBatch.Status.PENDING, progress=0, progress_at=timezone.now(), message="", errors=[],
        preview=[], undo_data={})
    if not updated:
        raise LedgerError("只有导入失败的批次可以重新导入。")
    batch.refresh_from_db()
    return batch


def import_ledger_file(*, data: bytes, filename: str, town: Town | None = None, year: int | None = None,
                       dry_run: bool = False, actor=None, submit: bool = False,
                       skip_refused: bool = False) -> tuple[ImportCheck, ImportBatch | None]:
    """Check a file and, unless `dry_run` or a problem is found, keep it as a batch and write it.

    What `manage.py import_ledger` does; on any problem nothing is written (not even the batch).
    With `skip_refused` the village-years it may not write (approved, in review) are left out and
    listed as skipped (`check.plan.rows`) instead of rejecting the file.
    """
    check = import_check(data=data, town=town, year=year, skip_refused=skip_refused)
    if not check.ok or dry_run:
        return check, None
    batch = import_batch_create(data=data, filename=filename, actor=actor, town=town, year=year, submit=submit)
    batch = import_batch_apply(batch=batch, actor=actor, check=check)
    if batch.status != ImportBatch.Status.APPLIED:
        check.problems = [Problem.from_dict(error) for error in batch.errors]
    return check, batch
