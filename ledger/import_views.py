"""Pages for bulk imports and exports: upload → preview → confirm → progress → result (or undo).

Staff and administrators import for their county; town cadres for their own town. Everybody else,
and everything outside a user's scope, gets 404 (villages.access).
"""

import logging
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from villages.access import (
    get_town_for_user,
    has_role,
    role_of,
    visible_counties,
    visible_towns,
    visible_villages,
)
from villages.models import UserRole

from . import exports, tasks
from .importing import services as imports
from .importing.error_workbook import NothingToMark, error_workbook, has_marks
from .importing.planner import MAX_WARNINGS, SKIPPED
from .importing.problems import FileRejected, Problem
from .models import MAX_YEAR, MIN_YEAR, ImportBatch, LedgerYear, LineItem
from .money import WAN, YUAN
from .services import LedgerError
from .spreadsheets import xlsx_response

IMPORT_ROLES = (UserRole.Role.STAFF, UserRole.Role.ADMIN, UserRole.Role.CADRE)
# What the pages show at most: the latest batches, the preview's villages, the problems of a file.
RECENT_BATCHES = 50
PREVIEW_PAGE_SIZE = 50  # village-years a preview page lists, each with its changed lines folded
PREVIEW_PROBLEMS = 1000

logger = logging.getLogger(__name__)


def _require_importer(user) -> None:
    if not has_role(user, *IMPORT_ROLES):
        raise Http404("未找到，或您无权访问。")


def _batches_for_user(user) -> QuerySet[ImportBatch]:
    """A user's own imports; staff and administrators also see those made by others in their scope."""
    _require_importer(user)
    role = role_of(user)
    batches = ImportBatch.objects.select_related("created_by", "town")
    if role.role == UserRole.Role.ADMIN and role.county_id is None:
        return batches
    if role.role in (UserRole.Role.STAFF, UserRole.Role.ADMIN):
        return batches.filter(Q(created_by=user) | Q(created_by__role__county__in=visible_counties(user)))
    return batches.filter(created_by=user)


def _get_batch_for_user(user, pk: int) -> ImportBatch:
    return get_object_or_404(_batches_for_user(user), pk=pk)


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _runs_in_background(batch: ImportBatch) -> bool:
    return batch.size > settings.IMPORT_BACKGROUND_MIN_KB * 1024


def _check(batch: ImportBatch) -> None:
    """Check the batch's file, in the background for large files, while the browser waits otherwise."""
    if _runs_in_background(batch):
        imports.import_batch_queue(batch=batch)
        transaction.on_commit(lambda: tasks.check_import.enqueue(batch.pk))
        return
    _in_foreground(imports.import_batch_check, batch=batch)


def _in_foreground(work, *, batch: ImportBatch, **kwargs) -> None:
    # A crash here must not leave the batch 待检查 / 导入中 for good: it says 导入失败 and can be rerun.
    try:
        work(batch=batch, **kwargs)
    except Exception as exc:
        logger.exception("import batch %s failed", batch.pk)
        imports.import_batch_fail(batch=batch, error=exc)
        batch.refresh_from_db()


@login_required
@require_GET
def import_list(request):
    imports.import_batches_fail_stale()
    batches = _batches_for_user(request.user).defer("preview", "undo_data", "errors")[:RECENT_BATCHES]
    return render(request, "ledger/import_list.html", {
        "batches": batches,
        "towns": visible_towns(request.user).order_by("code"),
        "this_year": timezone.localdate().year - 1,
        "max_mb": settings.IMPORT_MAX_UPLOAD_MB,
    })


@login_required
@require_POST
def import_upload(request):
    _require_importer(request.user)
    upload = request.FILES.get("file")
    town = get_town_for_user(request.user, pk=request.POST["town"]) if request.POST.get("town") else None
    year = _year(request.POST.get("year"))
    if upload is None:
        messages.error(request, _("请选择要导入的文件。"))
        return redirect("ledger:import_list")
    if upload.size > settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024:
        messages.error(request, _("文件超过 %(mb)s MB 的上限，请按乡镇或年度拆分后再导入。") % {"mb": settings.IMPORT_MAX_UPLOAD_MB})
        return redirect("ledger:import_list")
    batch = imports.import_batch_create(data=upload.read(), filename=upload.name, actor=request.user, town=town,
                                        year=year, submit=request.POST.get("submit") == "1")
    _check(batch)
    return redirect("ledger:import_detail", pk=batch.pk)


def _preview_rows(batch: ImportBatch) -> list[dict]:
    """The rows the page may show: what a checked file would do, did, or (rejected only for years it
    may not write) would do for the others."""
    if batch.status in (ImportBatch.Status.READY, ImportBatch.Status.APPLIED, ImportBatch.Status.UNDONE):
        return batch.preview
    if batch.status == ImportBatch.Status.INVALID and imports.can_skip_refused(batch):
        return batch.preview
    return []


def _shown_row(row: dict, item_names: dict[int, str]) -> dict:
    """A preview row with its line changes named and in 万元, for the template."""
    changes = []
    for entry in row.get("changes", []):
        item_id, name, old, new = entry[:4]
        changes.append({"item": item_names.get(item_id, "?"), "name": name,
                        "old": Decimal(old) if old is not None else None,
                        "new": Decimal(new) if new is not None else None,
                        "note": entry[4] if len(entry) > 4 else None})
    return {**row, "changes": changes, "attention": bool(row.get("warnings") or row.get("warnings_hidden")
                                                          or row.get("replaces_draft") or row.get("refused"))}


@login_required
@require_GET
def import_detail(request, pk: int):
    imports.import_batches_fail_stale()
    batch = _get_batch_for_user(request.user, pk)
    rows = _preview_rows(batch)
    # Years it may not write, as a choice to skip them: only when they are all that stops the file.
    refused = imports.refused_rows(batch) if imports.can_skip_refused(batch) else []
    skipped = [row for row in batch.preview if row.get("action") == SKIPPED]
    written = [row for row in rows if row.get("action") != SKIPPED and not (refused and row.get("refused"))]
    attention_only = request.GET.get("show") == "attention"
    listed = [row for row in written if not attention_only or row.get("warnings") or row.get("warnings_hidden")
              or row.get("replaces_draft")]
    paginator = Paginator(listed, PREVIEW_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    item_names = dict(LineItem.objects.values_list("pk", "name")) if any(
        row.get("changes") for row in page_obj.object_list) else {}
    # The latest year of the file in the league table, with submitted figures counted (imports are
    # not approved yet): where staff check that the totals match the file.
    ranking_year = max((row["year"] for row in written), default=None)
    ranking_url = (f"{reverse('dashboards:villages')}?{urlencode({'year': ranking_year, 'submitted': 1})}"
                   if ranking_year else "")
    errors = [error for error in batch.errors if not (refused and Problem.from_dict(error).skippable)]
    return render(request, "ledger/import_detail.html", {
        "batch": batch, "ranking_url": ranking_url, "ranking_year": ranking_year,
        "rows": [_shown_row(row, item_names) for row in page_obj.object_list], "page_obj": page_obj,
        "attention_only": attention_only, "written_count": len(written),
        "counts": _counts(written), "max_warnings": MAX_WARNINGS,
        "refused": refused, "refused_villages": len({row["village_id"] for row in refused}),
        "refused_all_approved": all(row.get("status") == "approved" for row in refused),
        "skipped": skipped,
        "errors": errors[:PREVIEW_PROBLEMS], "errors_total": len(errors),
        "can_mark": batch.status == ImportBatch.Status.INVALID and has_marks(
            Problem.from_dict(error) for error in batch.errors),
        "notes": [line for line in batch.message.splitlines() if line],
    })


def _counts(rows: list[dict]) -> dict[str, int]:
    counts = {"created": 0, "changed": 0, "unchanged": 0, "warnings": 0, "drafts": 0, "unchecked": 0,
              "lines_created": 0, "lines_changed": 0, "lines_deleted": 0}
    for row in rows:
        counts[row["action"]] = counts.get(row["action"], 0) + 1
        counts["warnings"] += bool(row.get("warnings") or row.get("warnings_hidden"))
        counts["unchecked"] += row.get("warnings_hidden", 0) is None
        counts["drafts"] += bool(row.get("replaces_draft"))
        for key in ("lines_created", "lines_changed", "lines_deleted"):
            counts[key] += row.get(key, 0)
    return counts


@login_required
@require_GET
def import_status(request, pk: int):
    imports.import_batches_fail_stale()
    batch = _get_batch_for_user(request.user, pk)
    return JsonResponse({
        "id": batch.pk, "status": batch.status, "status_label": batch.get_status_display(),
        "progress": batch.progress, "finished": batch.is_finished or batch.status == ImportBatch.Status.READY,
        "url": reverse("ledger:import_detail", args=[batch.pk]),
    })


@login_required
@require_POST
def import_confirm(request, pk: int):
    batch = _get_batch_for_user(request.user, pk)
    if batch.status != ImportBatch.Status.READY:
        messages.error(request, _("这个批次当前不能导入（状态：%(status)s）。") % {"status": batch.get_status_display()})
        return redirect("ledger:import_detail", pk=batch.pk)
    _apply(request, batch)
    return redirect("ledger:import_detail", pk=batch.pk)


def _apply(request, batch: ImportBatch) -> None:
    """Write a 待确认 batch: in the background for large files, while the browser waits otherwise."""
    if _runs_in_background(batch):
        imports.import_batch_queue(batch=batch)
        transaction.on_commit(lambda: tasks.apply_import.enqueue(batch.pk, request.user.pk))
    else:
        _in_foreground(imports.import_batch_apply, batch=batch, actor=request.user)
        if batch.status == ImportBatch.Status.APPLIED:
            messages.success(request, _("导入完成。"))


@login_required
@require_POST
def import_rerun(request, pk: int):
    """重新导入: a failed batch is checked again from its stored file; its fresh preview is confirmed as usual."""
    batch = _get_batch_for_user(request.user, pk)
    try:
        imports.import_batch_rerun(batch=batch)
    except LedgerError as exc:
        messages.error(request, str(exc))
        return redirect("ledger:import_detail", pk=batch.pk)
    _check(batch)
    if batch.status == ImportBatch.Status.READY:
        messages.info(request, _("已按现在的数据重新检查，请核对预览后确认导入。"))
    return redirect("ledger:import_detail", pk=batch.pk)


@login_required
@require_POST
def import_skip_refused(request, pk: int):
    """跳过已审核的 N 个村，导入其余: the user's explicit choice, recorded on the batch, then written as a
    confirmed preview is."""
    batch = _get_batch_for_user(request.user, pk)
    try:
        imports.import_batch_skip_refused(batch=batch, actor=request.user)
    except LedgerError as exc:
        messages.error(request, str(exc))
        return redirect("ledger:import_detail", pk=batch.pk)
    batch.refresh_from_db()
    _apply(request, batch)
    return redirect("ledger:import_detail", pk=batch.pk)


def _undo_plan(batch: ImportBatch) -> dict:
    """What undoing the batch would do, village-year by village-year, and what stops it."""
    versions = {int(pk): version for pk, version in batch.undo_data.get("versions", {}).items()}
    created = set(batch.undo_data.get("created", []))
    years = list(LedgerYear.objects.filter(pk__in=list(versions)).select_related("village", "town")
                 .order_by("town__code", "village__code", "year"))
    rows = []
    for ly in years:
        blocked = ("已审核锁定" if ly.is_locked else "导入后又被修改过" if ly.version != versions[ly.pk] else "")
        rows.append({"ledger_year": ly, "created": ly.pk in created, "blocked": blocked})
    return {"rows": rows, "removed": sum(1 for r in rows if r["created"]),
            "restored": sum(1 for r in rows if not r["created"]), "blocked": [r for r in rows if r["blocked"]]}


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request, pk: int):
    """撤销这次导入: GET asks (a page that lists every village-year it changes back), POST does it."""
    batch = _get_batch_for_user(request.user, pk)
    if request.method == "GET":
        if batch.status != ImportBatch.Status.APPLIED:
            messages.error(request, _("只有已导入的批次可以撤销。"))
            return redirect("ledger:import_detail", pk=batch.pk)
        return render(request, "ledger/import_undo.html", {"batch": batch, **_undo_plan(batch)})
    try:
        imports.import_batch_undo(batch=batch, actor=request.user)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销这次导入，相关村年度恢复为导入前的数据。"))
    return redirect("ledger:import_detail", pk=batch.pk)


@login_required
@require_GET
def import_problems_workbook(request, pk: int):
    """The uploaded file with its bad cells highlighted and commented (xlsx), to send back to the town."""
    batch = _get_batch_for_user(request.user, pk)
    problems = [Problem.from_dict(error) for error in batch.errors]
    try:
        data = error_workbook(data=imports.batch_data(batch), file_format=batch.file_format, problems=problems)
    except (NothingToMark, FileRejected) as exc:
        raise Http404("这个批次没有可标注到单元格的问题。") from exc
    stem = batch.filename.rsplit(".", 1)[0] if "." in batch.filename else batch.filename
    return xlsx_response(data, f"{stem}-问题标注.xlsx")


@login_required
@require_GET
def import_file(request, pk: int):
    """The original file, as uploaded."""
    batch = _get_batch_for_user(request.user, pk)
    return FileResponse(batch.file.open("rb"), as_attachment=True, filename=batch.filename)


@login_required
@require_GET
def import_template(request):
    _require_importer(request.user)
    town = get_town_for_user(request.user, pk=request.GET.get("town"))
    year = _year(request.GET.get("year"))
    if year is None:
        raise Http404("年度无效。")
    data = exports.template_xlsx(town=town, year=year)
    return xlsx_response(data, f"{town.name}{year}年导入模板.xlsx")


@login_required
@require_GET
def ledger_export(request):
    """The ledgers in the user's scope as xlsx, long or wide, for a year and/or town."""
    if role_of(request.user) is None:
        raise Http404("未找到，或您无权访问。")
    town = get_town_for_user(request.user, pk=request.GET["town"]) if request.GET.get("town") else None
    year = _year(request.GET.get("year"))
    years = exports.ledger_years(villages=visible_villages(request.user), year=year, town=town)
    layout = request.GET.get("layout", "long")
    unit = WAN if request.GET.get("unit") == WAN else YUAN
    scope = _export_scope(request.user, town)
    what = "收益分配宽表" if layout == "wide" else "台账明细"
    title = f"{scope} {f'{year}年' if year else '全部年度'} 村级集体经济{what}"
    data = (exports.wide_xlsx(years, unit, title=title) if layout == "wide"
            else exports.long_xlsx(years, unit, title=title))
    made = timezone.localtime()
    period = f"{year}年" if year else "全部年度"
    return xlsx_response(data, f"{what}-{scope}-{period}-{exports.unit_label(unit)}-{made:%Y%m%d}.xlsx")


def _export_scope(user, town) -> str:
    """What an export covers, as its title and file name say: the town, else the user's county or town."""
    if town is not None:
        return f"{town.county.name}{town.name}"
    role = role_of(user)
    if role is not None and role.town_id:
        return f"{role.town.county.name}{role.town.name}"
    if role is not None and role.county_id:
        return role.county.name
    return "全部县（市、区）"
