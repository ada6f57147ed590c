"""What an import would do, before anything is written: per village-year created / changed /
unchanged / skipped, the lines that change (old → new), the drafts it replaces and the warnings the
entry form would give.

What the preview page shows is kept in the plan's rows (stored on the batch), bounded: a 100,000-line
file previews from one stored list, without reading the database again.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from ..bulk import CHUNK_SIZE, chunked
from ..checks import item_totals, statement_warnings
from ..metrics import figures_for
from ..models import LedgerLine, LedgerRules, LedgerYear, LineItem
from ..statements import diff_lines
from .parsed import ParsedFile
from .problems import Problem

CREATED, CHANGED, UNCHANGED, SKIPPED = "created", "changed", "unchanged", "skipped"
# How many changed lines the preview keeps: per village-year, and for the whole file. Past these the
# row says how many more there are; what is written is the whole file in any case.
MAX_CHANGES_PER_YEAR = 200
MAX_CHANGES = 20_000
MAX_WARNINGS_PER_YEAR = 20
MAX_WARNINGS = 5_000


class _StoredLine:
    """A stored line as the preview needs it: diffing 100,000 of these instead of model instances
    makes a preview of an unchanged file several times faster. Nothing is written from them."""

    __slots__ = ("ledger_year_id", "item_id", "name", "amount", "note", "share_id", "enterprise_id")

    def __init__(self, ledger_year_id, item_id, name, amount, note, share_id, enterprise_id):
        self.ledger_year_id, self.item_id, self.name, self.amount = ledger_year_id, item_id, name, amount
        self.note, self.share_id, self.enterprise_id = note, share_id, enterprise_id


@dataclass
class Plan:
    rows: list[dict] = field(default_factory=list)  # one per village-year, for the preview
    figures: dict[tuple[int, int], dict] = field(default_factory=dict)  # the file's figures per (village, year)
    problems: list[Problem] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)

    @property
    def totals(self) -> dict[str, int]:
        keys = ("lines_created", "lines_changed", "lines_deleted")
        return {key: sum(row[key] for row in self.rows if row["action"] != SKIPPED) for key in keys}


def refused(ledger_year: LedgerYear, *, changes_anything: bool) -> str:
    """Why an import may not write this village-year ("" if it may): approved years never, submitted
    ones not when the file would change them. The one rule of the preview and of the write."""
    if ledger_year.is_locked:
        return "已审核锁定，不能导入覆盖；如需更正请先由审核人重新打开"
    if ledger_year.status == LedgerYear.Status.SUBMITTED and changes_anything:
        return "已提交审核，导入会改动审核中的数据，不能导入覆盖；如需修改请先由审核人退回"
    return ""


class _Budget:
    """How much of a bounded list is still free."""

    def __init__(self, total: int):
        self.left = total

    def take(self, wanted: int, most: int) -> int:
        granted = max(0, min(wanted, most, self.left))
        self.left -= granted
        return granted


def _change_list(changes, budget: _Budget) -> tuple[list[list], int]:
    """[item id, 项目, old 元 or None, new 元 or None, new 备注 if it changed] per changed line."""
    entries = []
    for old, delta in changes.changed:
        amount = delta.get("amount", (old.amount, old.amount))
        entry = [old.item_id, old.name, str(amount[0]), str(amount[1])]
        if "note" in delta:
            entry.append(delta["note"][1])
        entries.append(entry)
    entries += [[line.item_id, line.name, None, str(line.amount)] for line in changes.created]
    entries += [[line.item_id, line.name, str(line.amount), None] for line in changes.deleted]
    kept = budget.take(len(entries), MAX_CHANGES_PER_YEAR)
    return entries[:kept], len(entries) - kept


class _LastYears:
    """Last year's accounts of the file's villages, as the entry form compares with them."""

    def __init__(self, keys: list[tuple[int, int]], codes: dict[int, str]):
        self.years: dict[tuple[int, int], LedgerYear] = {}
        by_year: dict[int, list[int]] = defaultdict(list)
        for village_id, year in keys:
            by_year[year - 1].append(village_id)
        for year, village_ids in by_year.items():
            for part in chunked(village_ids):
                for ly in LedgerYear.objects.filter(year=year, village_id__in=part).only(
                        "id", "village_id", "year", "system_id", "net_income", "closing_undistributed"):
                    self.years[(ly.village_id, year + 1)] = ly
        self.by_code: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        ids = [ly.pk for ly in self.years.values()]
        for part in chunked(ids):
            rows = LedgerLine.objects.filter(ledger_year_id__in=part).values_list("ledger_year_id", "item_id", "amount")
            for ledger_year_id, item_id, amount in rows.iterator(chunk_size=CHUNK_SIZE):
                self.by_code[ledger_year_id][codes[item_id]] += amount


def plan_import(parsed: ParsedFile, *, skip: set[tuple[int, int]] | frozenset = frozenset(),
                skip_refused: bool = False) -> Plan:
    """Compare the file's statements with the stored village-years (a few queries for any size).

    Approved (locked) village-years become problems: an import never overwrites them; nor submitted
    ones that it would change (the reviewer approves what was submitted; the form refuses them too).
    Those the user chose to leave out (`skip`, or all of them with `skip_refused`) are rows marked
    skipped instead, and are not written.
    Each row keeps the version it was planned against (0: the year does not exist yet), so that the
    write can tell whether somebody wrote the year in between.
    """
    plan = Plan()
    keys = list(parsed.statements)
    existing_years: dict[tuple[int, int], LedgerYear] = {}
    by_year: dict[int, list[int]] = {}
    for village_id, year in keys:
        by_year.setdefault(year, []).append(village_id)
    for year, village_ids in by_year.items():
        for part in chunked(village_ids):
            for ledger_year in LedgerYear.objects.filter(year=year, village_id__in=part):
                existing_years[(ledger_year.village_id, year)] = ledger_year
    stored: dict[int, list[_StoredLine]] = {ly.pk: [] for ly in existing_years.values()}
    for part in chunked(list(stored)):
        rows = LedgerLine.objects.filter(ledger_year_id__in=part).values_list(*_StoredLine.__slots__)
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            line = _StoredLine(*row)
            stored[line.ledger_year_id].append(line)
    items_by_system: dict[int, list[LineItem]] = defaultdict(list)
    system_of_item: dict[int, int] = {}
    for item in LineItem.objects.order_by("line_number"):
        items_by_system[item.system_id].append(item)
        system_of_item[item.pk] = item.system_id
    last = _LastYears(keys, {item.pk: item.code for items in items_by_system.values() for item in items})
    county_ids = {village.town.county_id for village in parsed.villages.values()}
    rules = {county_id: LedgerRules(county_id=county_id) for county_id in county_ids}
    rules.update({r.county_id: r for r in LedgerRules.objects.filter(county_id__in=county_ids)})
    editors = _display_names({ly.updated_by_id for ly in existing_years.values()
                              if ly.status == LedgerYear.Status.DRAFT and ly.updated_by_id})
    change_budget, warning_budget = _Budget(MAX_CHANGES), _Budget(MAX_WARNINGS)

    for key in sorted(keys, key=lambda k: (parsed.villages[k[0]].code, k[1])):
        village = parsed.villages[key[0]]
        lines = list(parsed.statements[key].values())
        ledger_year = existing_years.get(key)
        sheet, row_number = parsed.origins.get(key, ("", None))
        changes_list, changes_hidden, refusal, replaces_draft, draft_by = [], 0, "", False, ""
        stored_totals: dict[int, Decimal] = {}
        if ledger_year is None:
            action, created, changed, deleted = CREATED, len(lines), 0, 0
        else:
            stored_lines = stored[ledger_year.pk]
            stored_totals = item_totals((line.item_id, line.amount) for line in stored_lines)
            changes = diff_lines(stored_lines, lines, ledger_year.pk)
            action = CHANGED if changes.any else UNCHANGED
            created, changed, deleted = len(changes.created), len(changes.changed), len(changes.deleted)
            refusal = refused(ledger_year, changes_anything=changes.any)
            if changes.any:
                changes_list, changes_hidden = _change_list(changes, change_budget)
                if ledger_year.status == LedgerYear.Status.DRAFT and stored_lines:
                    # A cadre's typing (or an earlier import) that this file replaces.
                    replaces_draft, draft_by = True, editors.get(ledger_year.updated_by_id, "")
            if key in skip or (refusal and skip_refused):
                # Left out as the user chose, even if it was reopened meanwhile: never written unseen.
                action = SKIPPED
            elif refusal:
                kind = Problem.LOCKED if ledger_year.is_locked else Problem.IN_REVIEW
                plan.problems.append(Problem(sheet, row_number, "", f"{village.name} {key[1]}年",
                                             f"{village.town.name}{village.name} {key[1]} 年的账{refusal}", kind))
        figures = plan.figures[key] = figures_for((line.item_id, line.amount) for line in lines)
        warnings, warnings_hidden = [], 0
        if action in (CREATED, CHANGED) and lines and not warning_budget.left:
            # Thousands of warnings already: the file is wrong throughout (a unit slip in every row),
            # and the page says so; the rest are not worked out one by one.
            warnings_hidden = None
        elif action in (CREATED, CHANGED) and lines:
            items = items_by_system[system_of_item[lines[0].item_id]]
            warnings, warnings_hidden = _warnings(key, lines, stored_totals, items, last,
                                                  rules[village.town.county_id], warning_budget)
        plan.rows.append({
            "village_id": village.pk, "code": village.code, "village": village.name, "town": village.town.name,
            "year": key[1], "action": action, "lines": len(lines),
            "lines_created": created, "lines_changed": changed, "lines_deleted": deleted,
            "total_income": str(figures["total_income"]), "operating_income": str(figures["operating_income"]),
            "net_income": str(figures["net_income"]),
            "before_total_income": str(ledger_year.total_income) if ledger_year else None,
            "version": ledger_year.version if ledger_year else 0,
            "status": ledger_year.status if ledger_year else "",
            "sheet": sheet, "row": row_number, "refused": refusal,
            "replaces_draft": replaces_draft, "draft_by": draft_by, "changes": changes_list, "changes_hidden": changes_hidden,
            "warnings": warnings, "warnings_hidden": warnings_hidden,
        })
    return plan


def _warnings(key, lines, stored_totals, items, last: _LastYears, rules: LedgerRules,
              budget: _Budget) -> tuple[list[dict], int]:
    """The entry form's warnings (`ledger.checks.statement_warnings`) for one village-year of the
    file, against last year, as plain values (every attribute the warning carries is kept), and how
    many more there are past the preview's bound."""
    last_year = last.years.get(key)
    if last_year is None:
        return [], 0
    by_code = dict(last.by_code.get(last_year.pk, {}))
    system_id = items[0].system_id if items else None
    found = statement_warnings(
        items=items, new=item_totals((line.item_id, line.amount) for line in lines), stored=stored_totals,
        last_year_by_code=by_code, last_year_net_income=last_year.net_income, rules=rules,
        last_year_other_system=last_year.system_id != system_id,
        carried_forward=last_year.closing_undistributed if by_code else None,
    )
    kept = budget.take(len(found), MAX_WARNINGS_PER_YEAR)
    return [_warning_dict(warning) for warning in found[:kept]], len(found) - kept


def _warning_dict(warning) -> dict:
    values = dict(getattr(warning, "__dict__", {}) or {})
    if not values and hasattr(warning, "__dataclass_fields__"):
        values = {name: getattr(warning, name) for name in warning.__dataclass_fields__}
    return {name: value if isinstance(value, (str, int, bool, type(None))) else str(value)
            for name, value in values.items()}


def _display_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    users = get_user_model().objects.filter(pk__in=user_ids).only("id", "username", "first_name", "last_name")
    return {user.pk: user.get_full_name() or user.username for user in users}
