"""The pages where towns keep their villages' books: landing, towns, a town's villages, a village-year.

Every view finds its object through a scope helper (`villages.access`, `ledger.access`), so a user
outside the scope gets 404; inside the scope, `ledger.access` says what the role may do.
Writes go through `ledger.services`.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from villages.access import get_town_for_user, get_village_for_user, has_role, role_of, visible_towns
from villages.models import UserRole, Village

from . import access, review, selectors, services
from .checks import Warning, item_totals, statement_warnings
from .filters import TownVillageFilter
from .forms import EntryForm, StatementForm, amount_for_input
from .models import MAX_YEAR, MIN_YEAR
from .money import CENT, WAN, YUAN, format_wan
from .systems import year_problem
from .years import parse_year

Role = UserRole.Role


@login_required
def home(request):
    """Send each role where its work is."""
    role = role_of(request.user)
    if role is None:
        return render(request, "ledger/no_role.html")
    if role.role in UserRole.TOWN_ROLES and role.town_id:
        return redirect("ledger:town_villages", pk=role.town_id)
    if role.role == Role.OFFICIAL:
        return redirect("dashboards:overview")
    if role.role == Role.STAFF:
        return redirect("ledger:import_list")
    return redirect("ledger:town_list")


def _year_param(request, default: int) -> int:
    year = parse_year(request.GET.get("year"))
    return default if year is None else year


@login_required
def town_list(request):
    towns = visible_towns(request.user)
    year = _year_param(request, selectors.default_year())
    return render(request, "ledger/town_list.html", {
        "rows": selectors.town_summaries(towns, year), "year": year, "has_role": role_of(request.user) is not None,
    })


@login_required
def town_villages(request, pk: int):
    town = get_town_for_user(request.user, pk=pk)
    year = _year_param(request, selectors.default_year([town.pk]))
    # Newest first: on a phone the year being entered is the column in view.
    years = list(range(year, year - selectors.YEARS_SHOWN, -1))
    village_filter = TownVillageFilter(request.GET or None, queryset=Village.objects.filter(town=town), year=year)
    can_enter, can_review = has_role(request.user, *access.ENTRY_ROLES), has_role(request.user, *access.REVIEW_ROLES)
    return render(request, "ledger/town_villages.html", {
        "town": town, "year": year, "years": years, "filter": village_filter,
        "rows": selectors.town_year_grid(village_filter.qs, years),
        "can_enter": can_enter, "can_review": can_review,
        # What 全部提交 / 全部审核通过 would move, for their buttons and confirmation dialogs (the page
        # script; without it, the confirmation is a page).
        "submit_candidates": review.bulk_candidates(town, year, "submit") if can_enter else [],
        "approve_candidates": review.bulk_candidates(town, year, "approve") if can_review else [],
    })


def _year_refused(request, village: Village, year: int):
    """A page saying why the year's accounts cannot be kept here (404), or None when they can."""
    if not (MIN_YEAR <= year <= min(MAX_YEAR, timezone.localdate().year + 1)):
        raise Http404(_("年度超出范围。"))
    problem = year_problem(year)
    if problem is None:
        return None
    return render(request, "ledger/village_year_refused.html", {"village": village, "year": year, "problem": problem},
                  status=404)


def _village_year_url(village: Village, year: int, unit: str = WAN) -> str:
    url = reverse("ledger:village_year", kwargs={"village_pk": village.pk, "year": year})
    return url if unit == WAN else f"{url}?{urlencode({'unit': unit})}"


def _groups_for_display(statement: selectors.Statement, form: StatementForm | None,
                        totals: dict[int, Decimal]) -> list[dict]:
    """Each item with its rows, last year's amounts and the change, in the statement's order."""
    stored_by_item: dict[int, list] = {}
    for line in statement.lines:
        stored_by_item.setdefault(line.item_id, []).append(line)
    groups = []
    if form is not None:
        for group in form.groups:
            code = group.item.code
            rows = []
            for row in group.rows:
                name = (row.data.get(row.add_prefix("name")) if row.is_bound else row.initial.get("name")) or ""
                last = None if row.is_blank else statement.last_by_code_and_name.get((code, name.strip()))
                rows.append({"form": row, "last": last})
            groups.append({"item": group.item, "rows": rows, "last": statement.last_by_code.get(code)})
    else:
        for item in statement.items:
            lines = sorted(stored_by_item.get(item.pk, []), key=lambda line: (line.name != "", line.name))
            rows = [{"line": line, "last": statement.last_by_code_and_name.get((item.code, line.name))}
                    for line in lines]
            if len(lines) == 1 and not lines[0].name and not lines[0].note:
                rows = []  # the item row already says it all
            groups.append({"item": item, "rows": rows, "last": statement.last_by_code.get(item.code)})
    numbers = statement.row_numbers
    folded = "；".join(_("%(year)s 年另有%(name)s %(amount)s 万元，%(next)s 年起并入%(into)s") % {
        "year": statement.year - 1, "name": line.name, "amount": format_wan(line.amount), "next": statement.year,
        "into": line.into} for line in statement.folded)
    for group in groups:
        item = group["item"]
        group["number"] = numbers[item.pk]
        group["total"] = totals.get(item.pk, Decimal("0.00"))
        group["comparable"] = statement.comparable(item)
        # Across 2023 → 2024 a line whose definition changed is not last year's same-named line: its
        # 上年 is shown with where the old line went, and no change is computed.
        group["last_note"] = folded if not group["comparable"] else ""
        group["change"] = None if group["last"] is None or not group["comparable"] else group["total"] - group["last"]
    return groups


def _sections_for_display(statement: selectors.Statement, groups: list[dict],
                          totals: dict[int, Decimal]) -> list[dict]:
    """The statement's two halves (收益, 收益分配), each its items and derived rows in the form's order:
    a derived row stands before the first item whose row is not before it (经营收益 7 before
    农业税附加返还收入, which has no 代码 and sorts as 7)."""
    derived = statement.derived(totals)
    halves = {False: [], True: []}
    pending = sorted(derived, key=lambda row: row.line_number)
    for group in groups:
        while pending and pending[0].line_number <= group["item"].line_number:
            row = pending.pop(0)
            halves[row.is_distribution_half].append({"figure": row})
        halves[group["item"].is_distribution_half].append({"group": group})
    for row in pending:
        halves[row.is_distribution_half].append({"figure": row})
    return [{"title": _("收益"), "distribution": False, "rows": halves[False]},
            {"title": _("收益分配"), "distribution": True, "rows": halves[True]}]


def _render_statement(request, statement, *, entry: EntryForm, form: StatementForm | None, unit: str,
                      warnings=(), unit_questions=(), unit_kept=(), conflict=None, show_errors=False, status=200,
                      database_down=False):
    ledger_year = statement.ledger_year
    user = request.user
    reviewing = ledger_year is not None and not database_down and has_role(user, *access.REVIEW_ROLES)
    # The figures of what is on screen: the typing when it is valid, else what is stored.
    totals = statement.stored_totals
    if form is not None and form.data is not None and form.is_valid():
        totals = item_totals((line.item_id, line.amount) for line in form.lines())
    groups = _groups_for_display(statement, form, totals)
    context = {
        "statement": statement, "village": statement.village, "year": statement.year, "ledger_year": ledger_year,
        "entry": entry, "form": form, "unit": unit, "unit_label": {WAN: _("万元"), YUAN: _("元")}[unit],
        "sections": _sections_for_display(statement, groups, totals),
        # The policy figures that are not already a derived row of the statement (总收入, 经营性收入).
        "figures": [f for f in statement.figures(totals) if f.code not in {row.code for row in statement.derived()}],
        "carried_forward": statement.carried_forward,
        "warnings": warnings, "unit_questions": unit_questions, "unit_kept": sorted(unit_kept),
        "warned": {warning.key for warning in [*warnings, *unit_questions]}, "conflict": conflict,
        "show_errors": show_errors,
        # With the database gone, the page is built from what the request already read: no workflow
        # buttons (they would fail) and no history.
        "transitions": [] if database_down else access.allowed_transitions(user, ledger_year),
        "can_delete": not database_down and access.can_delete_ledger_year(user, ledger_year),
        # The reviewer's view: what needs judgement, and the place in the town's 待审核 queue; everyone
        # sees why a year was sent back.
        "review": None if database_down else review.review_summary(statement),
        "reviewing": reviewing,
        "queue": review.queue_place(statement.village, statement.year) if reviewing else None,
        "history": [] if database_down else selectors.ledger_year_history(ledger_year),
        "terms": _terms_for_script(statement),
        "previous_year_url": _village_year_url(statement.village, statement.year - 1, unit),
        "next_year_url": (_village_year_url(statement.village, statement.year + 1, unit)
                          if statement.year < timezone.localdate().year + 1 else None),
    }
    return render(request, "ledger/village_year.html", context, status=status)


def _terms_for_script(statement: selectors.Statement) -> dict:
    """What the page script needs to compute the figures as the user types (the server stays the authority)."""
    shown = {f.code: f for f in [*statement.figures(), *statement.derived()]}
    return {
        "terms": {str(item.pk): statement.terms.get(item.pk, []) for item in statement.items},
        "figures": list(shown),
        "last": {code: (str(f.last) if f.last is not None else None) for code, f in shown.items()},
        # 元: above it a line is asked about as a unit slip (`ledger.checks.unit_slips`).
        "ceiling": str(statement.rules.line_ceiling or statement.rules.DEFAULT_LINE_CEILING),
    }


@login_required
@require_http_methods(["GET", "POST"])
def village_year(request, village_pk: int, year: int):
    village = get_village_for_user(request.user, pk=village_pk)
    if (refused := _year_refused(request, village, year)) is not None:
        return refused
    statement = selectors.statement_for(village, year)
    ledger_year = statement.ledger_year
    editable = access.can_edit_ledger_year(request.user, ledger_year)

    if request.method == "GET":
        unit = request.GET.get("unit") if request.GET.get("unit") in (WAN, YUAN) else WAN
        entry = EntryForm(initial={"unit": unit, "version": statement.version})
        form = StatementForm(items=statement.items, unit=unit, lines=statement.lines,
                             carried_forward=statement.carried_forward,
                             last_names=statement.last_names) if editable else None
        return _render_statement(request, statement, entry=entry, form=form, unit=unit)

    if not has_role(request.user, *access.ENTRY_ROLES):
        raise PermissionDenied(_("您的角色不能修改台账。"))
    unit = request.POST.get("unit") if request.POST.get("unit") in (WAN, YUAN) else WAN
    add_row = request.POST.get("add_row")
    entry = EntryForm(request.POST)
    form = StatementForm(items=statement.items, unit=unit, data=request.POST,
                         add_row_for=int(add_row) if add_row and add_row.isdigit() else None)
    if add_row:
        # "添加项目" without the script: the same page with one more empty row, nothing saved.
        return _render_statement(request, statement, entry=entry, form=form, unit=unit)
    if not editable:
        messages.error(request, _("%(year)s 当前状态为“%(status)s”，不能修改。您的填写仍在下方，未保存。") % {
            "year": ledger_year, "status": ledger_year.get_status_display()})
        return _render_statement(request, statement, entry=entry, form=form, unit=unit, status=409)
    entry_valid, form_valid = entry.is_valid(), form.is_valid()
    code, _sep, answer = request.POST.get("unit_choice", "").partition(":")
    oversized = form.oversized() if not form_valid else {}
    if answer == "convert" and code in oversized:
        # 3,531,600 typed on a 万元 page, too large for any line, converted as the page offered: 元.
        data = request.POST.copy()
        data.pop("unit_choice", None)
        for row in oversized[code]:
            data[row.add_prefix("amount")] = amount_for_input(row.as_yuan, unit)
        messages.info(request, _("%(item)s已按元换算为 %(amount)s 万元。") % {
            "item": _item_name(statement, code), "amount": format_wan(sum(row.as_yuan for row in oversized[code]))})
        entry, form = EntryForm(data), StatementForm(items=statement.items, unit=unit, data=data)
        entry_valid, form_valid = entry.is_valid(), form.is_valid()
        oversized = form.oversized() if not form_valid else {}
    if not (entry_valid and form_valid):
        questions = [Warning(code, _("%(item)s 的金额超过单行上限，无法按万元保存。") % {"item": _item_name(statement, code)},
                             kind=Warning.UNIT, suggested=sum(row.as_yuan for row in rows),
                             question=_("是否按元填写？按元即 %(amount)s 万元。") % {
                                 "amount": format_wan(sum(row.as_yuan for row in rows))})
                     for code, rows in oversized.items()]
        messages.error(request, _("有 %(n)s 处填写需要更正，见标红的栏目。本次未保存。") % {
            "n": form.error_count + len(entry.errors)})
        return _render_statement(request, statement, entry=entry, form=form, unit=unit, show_errors=True,
                                 unit_questions=questions)

    lines = form.lines()
    warnings = _warnings(statement, lines)
    # A unit question answered with a button: "<item code>:convert" or "<item code>:keep".
    slip = next((w for w in warnings if w.is_unit_slip and w.key == code), None)
    kept = set(request.POST.getlist("unit_keep"))
    if slip is not None and answer == "convert":
        data = _converted(request.POST, form, slip, unit)
        entry, form = EntryForm(data), StatementForm(items=statement.items, unit=unit, data=data)
        if not (entry.is_valid() and form.is_valid()):  # a converted amount beyond the limits of a line
            messages.error(request, _("换算后的金额无法保存，请直接更正。本次未保存。"))
            return _render_statement(request, statement, entry=entry, form=form, unit=unit, show_errors=True)
        lines = form.lines()
        warnings = _warnings(statement, lines)
        messages.info(request, _("%(item)s已按换算后的值 %(amount)s 万元填入。") % {
            "item": _item_name(statement, slip.key), "amount": format_wan(slip.suggested)})
    elif slip is not None and answer == "keep":
        kept.add(_keep_token(slip))
    slips = [w for w in warnings if w.is_unit_slip]
    asked = [w for w in slips if _keep_token(w) not in kept]
    confirmed = [w for w in slips if _keep_token(w) in kept]
    kept = {_keep_token(w) for w in confirmed}  # an answer to an amount typed since no longer counts
    warnings = [w for w in warnings if not w.is_unit_slip]
    if asked:
        messages.warning(request, _("有 %(n)s 个金额与上年相差上百倍或超过单行上限，可能填错了单位：请逐项选择按哪个数保存。"
                                    "本次未保存。") % {"n": len(asked)})
        return _render_statement(request, statement, entry=entry, form=form, unit=unit, warnings=warnings,
                                 unit_questions=asked, unit_kept=kept, show_errors=True)
    explanation = entry.cleaned_data["explanation"].strip()  # "" when nothing visible was typed
    if warnings and not explanation:
        entry.add_error("explanation", _("以上数值与上年相比变化较大，请填写变动说明后再保存。"))
        messages.warning(request, _("数值与上年相比变化较大：请核对，确认无误请填写说明后再保存。本次未保存。"))
        return _render_statement(request, statement, entry=entry, form=form, unit=unit, warnings=warnings,
                                 unit_kept=kept, show_errors=True)
    expected_version = entry.cleaned_data["version"]
    try:
        saved, changes = services.ledger_year_save_statement(
            village=village, year=year, lines=lines, actor=request.user, expected_version=expected_version,
            reason=explanation, warnings=[w.message for w in warnings], confirmed=[w.message for w in confirmed],
            source="form",
        )
    except services.StaleVersion as exc:
        if _same_statement(exc.ledger_year, lines):
            # The same typing posted twice (a double click, a resent form): the first one saved it.
            messages.success(request, _("%(village)s %(year)s 年账目已保存（第 %(v)s 版）。") % {
                "village": village.name, "year": year, "v": exc.ledger_year.version})
            return redirect(_village_year_url(village, year, unit))
        opened_at = selectors.version_opened_at(exc.ledger_year, expected_version)
        conflict = selectors.ledger_year_history(exc.ledger_year, after=opened_at)
        # The typing stays on screen; saving again now is a deliberate choice made after seeing the changes.
        data = request.POST.copy()
        data["version"] = str(exc.ledger_year.version)
        statement = selectors.statement_for(village, year)
        messages.error(request, str(exc))
        return _render_statement(request, statement, entry=EntryForm(data),
                                 form=StatementForm(items=statement.items, unit=unit, data=data), unit=unit,
                                 conflict=conflict, status=409)
    except services.LedgerError as exc:
        messages.error(request, str(exc))
        return _render_statement(request, statement, entry=entry, form=form, unit=unit, status=409)
    except (OperationalError, InterfaceError):
        # The database went away during the save (a restart, a cut connection): nothing was written
        # (the transaction is gone with it). Keep the typing on screen and say so; 503 tells the browser
        # and any proxy that trying again later is the remedy.
        messages.error(request, _("数据库暂时无法连接，您填写的内容尚未保存，请稍后再点保存。"))
        response = _render_statement(request, statement, entry=entry, form=form, unit=unit, warnings=warnings,
                                     status=503, database_down=True)
        response["Retry-After"] = "30"
        return response
    names = {"village": village.name, "year": year, "v": saved.version}
    if changes.any:
        messages.success(request, _("%(village)s %(year)s 年账目已保存（第 %(v)s 版）：新增 %(c)s 行，修改 %(u)s 行，"
                                    "删除 %(d)s 行。") % {**names, "c": changes.added,
                                                      "u": len(changes.changed), "d": len(changes.deleted)})
    else:
        messages.info(request, _("%(village)s %(year)s 年账目与已保存的第 %(v)s 版相同，没有改动。") % names)
    return redirect(_village_year_url(village, year, unit))


def _warnings(statement: selectors.Statement, lines) -> list:
    return statement_warnings(
        items=statement.items, new=item_totals((line.item_id, line.amount) for line in lines),
        stored=statement.stored_totals,
        last_year_by_code=statement.last_by_code if statement.last_year else None,
        last_year_net_income=statement.last_year.net_income if statement.last_year else None,
        rules=statement.rules, last_year_other_system=statement.last_other_system,
        carried_forward=statement.carried_forward,
    )


def _keep_token(slip) -> str:
    """What the page carries for a unit question answered 按原值保存: the line and the amount it was
    asked about, so that a different amount typed later is asked about again."""
    return f"{slip.key}:{slip.typed}"


def _item_name(statement: selectors.Statement, code: str) -> str:
    return next((item.name for item in statement.items if item.code == code), code)


def _converted(post, form: StatementForm, slip, unit: str):
    """The posted form with the amounts of the slip's line converted (÷ or × 10,000), as typed text."""
    data = post.copy()
    data.pop("unit_choice", None)
    for group in form.groups:
        if group.item.code != slip.key:
            continue
        for row in group.rows:
            if row.is_bound and row.line is not None:
                amount = (row.line.amount * slip.factor).quantize(CENT, rounding=ROUND_HALF_UP)
                data[row.add_prefix("amount")] = amount_for_input(amount, unit)
    return data


def _same_statement(ledger_year, lines) -> bool:
    """Whether the stored lines of the village-year are exactly `lines`."""
    stored = sorted((line.item_id, line.name, line.amount, line.note) for line in ledger_year.lines.all())
    return stored == sorted((line.item_id, line.name, line.amount, line.note) for line in lines)
