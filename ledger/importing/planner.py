"""What an import would do: per village-year created / changed / unchanged, before anything is written."""

from dataclasses import dataclass, field

from ..bulk import CHUNK_SIZE, chunked
from ..metrics import figures_for
from ..models import LedgerLine, LedgerYear
from ..statements import diff_lines
from .parser import ParsedFile
from .problems import Problem

CREATED, CHANGED, UNCHANGED = "created", "changed", "unchanged"


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
        return {key: sum(row[key] for row in self.rows) for key in keys}


def refused(ledger_year: LedgerYear, *, changes_anything: bool) -> str:
    """Why an import may not write this village-year ("" if it may): approved years never, submitted
    ones not when the file would change them. The one rule of the preview and of the write."""
    if ledger_year.is_locked:
        return "已审核锁定，不能导入覆盖；如需更正请先由审核人重新打开"
    if ledger_year.status == LedgerYear.Status.SUBMITTED and changes_anything:
        return "已提交审核，导入会改动审核中的数据，不能导入覆盖；如需修改请先由审核人退回"
    return ""


def plan_import(parsed: ParsedFile) -> Plan:
    """Compare the file's statements with the stored village-years (a few queries for any size).

    Approved (locked) village-years become problems: an import never overwrites them; nor submitted
    ones that it would change (the reviewer approves what was submitted; the form refuses them too).
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

    for key in sorted(keys, key=lambda k: (parsed.villages[k[0]].code, k[1])):
        village = parsed.villages[key[0]]
        lines = list(parsed.statements[key].values())
        ledger_year = existing_years.get(key)
        if ledger_year is None:
            action, created, changed, deleted = CREATED, len(lines), 0, 0
        else:
            changes = diff_lines(stored[ledger_year.pk], lines, ledger_year.pk)
            action = CHANGED if changes.any else UNCHANGED
            created, changed, deleted = len(changes.created), len(changes.changed), len(changes.deleted)
            refusal = refused(ledger_year, changes_anything=changes.any)
            if refusal:
                sheet, row = parsed.origins.get(key, ("", None))
                plan.problems.append(Problem(sheet, row, "", f"{village.name} {key[1]}年",
                                             f"{village.town.name}{village.name} {key[1]} 年的账{refusal}"))
        figures = plan.figures[key] = figures_for((line.item_id, line.amount) for line in lines)
        plan.rows.append({
            "village_id": village.pk, "code": village.code, "village": village.name, "town": village.town.name,
            "year": key[1], "action": action, "lines": len(lines),
            "lines_created": created, "lines_changed": changed, "lines_deleted": deleted,
            "total_income": str(figures["total_income"]), "operating_income": str(figures["operating_income"]),
            "net_income": str(figures["net_income"]),
            "before_total_income": str(ledger_year.total_income) if ledger_year else None,
            "version": ledger_year.version if ledger_year else 0,
        })
    return plan
