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
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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
from .models import MAX_YEAR, MIN_YEAR, ImportBatch
from .money import WAN, YUAN
from .services import LedgerError

IMPORT_ROLES = (UserRole.Role.STAFF, UserRole.Role.ADMIN, UserRole.Role.CADRE)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What the pages show at most: the latest batches, the preview's villages, the problems of a file.
RECENT_BATCHES = 50
PREVIEW_VILLAGES = 2000
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
    batches = _batches_for_user(request.user)[:RECENT_BATCHES]
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


@login_required
@require_GET
def import_detail(request, pk: int):
    imports.import_batches_fail_stale()
    batch = _get_batch_for_user(request.user, pk)
    rows = batch.preview if batch.status in (ImportBatch.Status.READY, ImportBatch.Status.APPLIED,
                                             ImportBatch.Status.UNDONE) else []
    by_village: dict[str, dict] = {}
    for row in rows:
        entry = by_village.setdefault(row["code"], {"town": row["town"], "village": row["village"], "years": [],
                                                    "total_income": Decimal(0), "operating_income": Decimal(0)})
        entry["years"].append(row)
        entry["total_income"] += Decimal(row["total_income"])
        entry["operating_income"] += Decimal(row["operating_income"])
    # The latest year of the file in the league table, with submitted figures counted (imports are
    # not approved yet): where staff check that the totals match the file.
    ranking_year = max((row["year"] for row in rows), default=None)
    ranking_url = (f"{reverse('dashboards:villages')}?{urlencode({'year': ranking_year, 'submitted': 1})}"
                   if ranking_year else "")
    return render(request, "ledger/import_detail.html", {
        "batch": batch, "ranking_url": ranking_url, "ranking_year": ranking_year,
        "villages": list(by_village.values())[:PREVIEW_VILLAGES],
        "hidden_villages": max(len(by_village) - PREVIEW_VILLAGES, 0),
        "errors": batch.errors[:PREVIEW_PROBLEMS],
        "notes": [line for line in batch.message.splitlines() if line],
    })


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
    if _runs_in_background(batch):
        imports.import_batch_queue(batch=batch)
        transaction.on_commit(lambda: tasks.apply_import.enqueue(batch.pk, request.user.pk))
    else:
        _in_foreground(imports.import_batch_apply, batch=batch, actor=request.user)
        if batch.status == ImportBatch.Status.APPLIED:
            messages.success(request, _("导入完成。"))
    return redirect("ledger:import_detail", pk=batch.pk)


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
def import_undo(request, pk: int):
    batch = _get_batch_for_user(request.user, pk)
    try:
        imports.import_batch_undo(batch=batch, actor=request.user)
    except LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销这次导入，相关村年度恢复为导入前的数据。"))
    return redirect("ledger:import_detail", pk=batch.pk)


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
    return _xlsx(data, f"{town.name}{year}年导入模板.xlsx")


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
    data = exports.wide_xlsx(years, unit) if layout == "wide" else exports.long_xlsx(years, unit)
    name = f"{town.name if town else ''}{year or ''}{'收益分配宽表' if layout == 'wide' else '台账明细'}.xlsx"
    return _xlsx(data, name)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response
