"""The 村集体经济组织收益分配统计表 of any set of villages for a year, summed from approved statements.

A pure read: `statement_report(villages=…, year=…)` returns plain data (`StatementReport`) in three
queries whatever the number of villages: the lines summed by item (one GROUP BY over the approved
years' lines), the derived figures summed from the figures every `LedgerYear` keeps together with the
附报 counts (`ledger.reports.appendix_aggregates`), and the villages left out of the sum with their status.

The form, per accounting system (sources in `ledger.systems`):
- 2004 system (财会〔2004〕12号, through 2023): the national form of 国统制〔2008〕27号 表六, 代码 1–21 as
  `LineItem.form_code` gives them, and its 平衡关系 7=1+2+3−4−5, 11=7+8+9−10, 14=11+12+13, 15=16+…+20,
  21=14−15. 农业税附加返还收入 has no 代码: the form reports it inside 8 补助收入 (the 会计制度's own statement
  adds it to 本年收益, so 11 still balances).
- 2023 system (财会〔2023〕14号, from 2024): its 收益及收益分配表, 代码 = the statement's 行次 1–20 (no national
  统计表 code for this system is encoded here), with the statement's own relations 6=1−2−3−4+5,
  11=6+7+8−9−10, 13=11−12, 16=13+14+15, 20=16−17−18−19.
- Both: 附报 22–28 (`ledger.reports.APPENDIX`), 22=23+24 and 25=26+27+28.

A derived row (经营收益, 本年收益 …) is the sum of what the villages' statements state (their stored
figures); each relation is checked against the lines it is made of, so a figure that does not follow
from its village's lines shows as a difference instead of being hidden.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Sum

from villages.models import Village

from .models import LedgerLine, LedgerYear
from .money import YUAN_PER_WAN
from .reports import APPENDIX, appendix_aggregates
from .systems import SYSTEMS_BY_CODE, system_code_for_year, year_problem

CENT = Decimal("0.01")
YUAN, COUNT = "元", "个"
# 万元 with two decimals, as the form is filled.
WAN_PLACES = 2
NOT_OPENED = "none"  # a village with no account for the year at all

FORM_TITLE = "村集体经济组织收益分配统计表"
FORM_BASIS = {
    "2004": "国统制〔2008〕27号 表六；《村集体经济组织会计制度》（财会〔2004〕12号）",
    "2023": "《农村集体经济组织会计制度》（财会〔2023〕14号）收益及收益分配表",
}
# Items the form reports inside another line (item code → the line's item code), per system.
FOLDED = {"2004": {"agricultural_tax_rebate": "subsidy_income"}, "2023": {}}
# The balance relations of each system's form: (代码 of the result, ((代码, sign), …)).
RELATIONS: dict[str, tuple[tuple[int, tuple[tuple[int, int], ...]], ...]] = {
    "2004": (
        (7, ((1, 1), (2, 1), (3, 1), (4, -1), (5, -1))),
        (11, ((7, 1), (8, 1), (9, 1), (10, -1))),
        (14, ((11, 1), (12, 1), (13, 1))),
        (15, ((16, 1), (17, 1), (18, 1), (19, 1), (20, 1))),
        (21, ((14, 1), (15, -1))),
        (22, ((23, 1), (24, 1))),
        (25, ((26, 1), (27, 1), (28, 1))),
    ),
    "2023": (
        (6, ((1, 1), (2, -1), (3, -1), (4, -1), (5, 1))),
        (11, ((6, 1), (7, 1), (8, 1), (9, -1), (10, -1))),
        (13, ((11, 1), (12, -1))),
        (16, ((13, 1), (14, 1), (15, 1))),
        (20, ((16, 1), (17, -1), (18, -1), (19, -1))),
        (22, ((23, 1), (24, 1))),
        (25, ((26, 1), (27, 1), (28, 1))),
    ),
}
STATUS_LABELS = {NOT_OPENED: "未建账", **dict(LedgerYear.Status.choices)}


class ReportError(ValueError):
    """The report cannot be made for what was asked (a year no system covers); the message is Chinese."""


@dataclass(frozen=True)
class ReportLine:
    code: int  # 代码
    name: str  # 指标名称
    value: Decimal | int  # 元 (2 places) or a count of villages
    unit: str = YUAN
    level: int = 0  # 1: a 其中 line
    derived: bool = False  # a result of the form's relations (经营收益 …)
    appendix: bool = False  # 附报
    note: str = ""

    @property
    def is_count(self) -> bool:
        return self.unit == COUNT

    @property
    def wan(self) -> Decimal | int:
        """The value as the form shows it: 万元 with two decimals, or the count."""
        if self.is_count:
            return self.value
        return (Decimal(self.value) / YUAN_PER_WAN).quantize(Decimal(1).scaleb(-WAN_PLACES), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RelationCheck:
    code: int
    text: str  # 7=1+2+3−4−5
    stated: Decimal | int  # the line's value
    computed: Decimal | int  # what its parts add up to

    @property
    def ok(self) -> bool:
        return self.stated == self.computed

    @property
    def difference(self) -> Decimal | int:
        return self.stated - self.computed


@dataclass(frozen=True)
class MissingVillage:
    """A village of the scope that is not in the sum: its year is not approved, or does not exist."""

    code: str
    name: str
    town: str
    status: str  # NOT_OPENED or a LedgerYear.Status value

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class StatementReport:
    year: int
    system_code: str
    system_name: str
    document: str
    basis: str
    lines: tuple[ReportLine, ...]
    checks: tuple[RelationCheck, ...]
    villages_in_scope: int
    villages_reported: int
    missing: tuple[MissingVillage, ...] = field(default=())
    title: str = FORM_TITLE

    def line(self, code: int) -> ReportLine:
        return next(line for line in self.lines if line.code == code)

    @property
    def balanced(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def statement_lines(self) -> tuple[ReportLine, ...]:
        return tuple(line for line in self.lines if not line.appendix)

    @property
    def statement_halves(self) -> tuple[tuple[ReportLine, ...], tuple[ReportLine, ...]]:
        """The statement's own two halves: 收益 (to 本年收益 / 净收益) and 收益分配 (年初未分配收益 on)."""
        lines = self.statement_lines
        split = next(index for index, line in enumerate(lines) if line.name == "年初未分配收益")
        return lines[:split], lines[split:]

    @property
    def halves(self) -> tuple[tuple[ReportLine, ...], tuple[ReportLine, ...]]:
        """The form's two columns of 指标名称 / 代码 / 金额: the first half of the lines on the left."""
        middle = -(-len(self.lines) // 2)
        return self.lines[:middle], self.lines[middle:]

    @property
    def missing_by_status(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for village in self.missing:
            counts[village.status_label] = counts.get(village.status_label, 0) + 1
        return sorted(counts.items(), key=lambda item: -item[1])

    def as_dict(self) -> dict:
        """Plain JSON-ready data (amounts as strings in 元), for an API."""
        data = asdict(self)
        for line in data["lines"]:
            line["value"] = str(line["value"]) if line["unit"] == YUAN else line["value"]
        for check in data["checks"]:
            check["stated"], check["computed"] = str(check["stated"]), str(check["computed"])
        data["balanced"] = self.balanced
        return data


def _cents(value) -> Decimal:
    """A money sum as Decimal 元: PostgreSQL gives Decimal, SQLite may give a float or an int."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _relation_text(code: int, parts: Iterable[tuple[int, int]]) -> str:
    terms = "".join(f"{'+' if sign > 0 else '−'}{part}" for part, sign in parts).lstrip("+")
    return f"{code}={terms}"


def _form_rows(system_code: str) -> list[tuple[int, str, str, str]]:
    """(代码, 指标名称, kind, key) of the statement part of the form, in order: kind "item" (key: item
    code), "derived" (key: metric code)."""
    spec = SYSTEMS_BY_CODE[system_code]
    folded = FOLDED[system_code]
    rows = []
    for item in spec["items"]:
        if item.code in folded:
            continue
        code = item.form_code if system_code == "2004" else item.line_number
        rows.append((code, item.name, "memo" if item.part_of else "item", item.code))
    for derived in spec["derived"]:
        rows.append((derived.line_number, derived.name, "derived", derived.metric))
    return sorted(rows)


def approved_years(*, villages: QuerySet[Village], year: int) -> QuerySet[LedgerYear]:
    """The approved village-years of `villages` in `year`: what the report sums."""
    return LedgerYear.objects.filter(year=year, status=LedgerYear.Status.APPROVED, village__in=villages)


def statement_report(*, villages: QuerySet[Village], year: int) -> StatementReport:
    """The 收益分配统计表 of `villages` for `year` (3 queries). `ReportError` for a year no accounting
    system covers."""
    problem = year_problem(year)
    if problem:
        raise ReportError(problem)
    system_code = system_code_for_year(year)
    spec = SYSTEMS_BY_CODE[system_code]
    years = approved_years(villages=villages, year=year)
    folded = FOLDED[system_code]

    item_sums: dict[str, Decimal] = {}
    for item_code, total in (LedgerLine.objects.filter(ledger_year__in=years).order_by()
                             .values_list("item__code").annotate(total=Sum("amount"))):
        key = folded.get(item_code, item_code)
        item_sums[key] = item_sums.get(key, Decimal(0)) + _cents(total)
    metrics = [derived.metric for derived in spec["derived"]]
    # The derived figures and the 附报 counts in one pass over the village-years.
    # (aliased: an aggregate named like a field would shadow the field in the counts' conditions)
    figure_sums = years.order_by().aggregate(**{f"sum_{metric}": Sum(metric) for metric in metrics},
                                             **appendix_aggregates())
    counts = {key: figure_sums[key] for _, key, _ in APPENDIX}

    lines = []
    for code, name, kind, key in _form_rows(system_code):
        if kind == "derived":
            lines.append(ReportLine(code, name, _cents(figure_sums[f"sum_{key}"]), derived=True))
            continue
        note = ""
        for folded_code, into in folded.items():
            if into == key:
                folded_name = next(item.name for item in spec["items"] if item.code == folded_code)
                note = f"含{folded_name}"
        lines.append(ReportLine(code, name, _cents(item_sums.get(key)), level=1 if kind == "memo" else 0, note=note))
    for code, key, name in APPENDIX:
        level = 1 if name.startswith("其中") else 0
        lines.append(ReportLine(code, name, counts[key], unit=COUNT, appendix=True, level=level))

    by_code = {line.code: line.value for line in lines}
    checks = tuple(
        RelationCheck(code=code, text=_relation_text(code, parts), stated=by_code[code],
                      computed=sum((by_code[part] * sign for part, sign in parts), start=type(by_code[code])(0)))
        for code, parts in RELATIONS[system_code]
    )
    missing = _missing_villages(villages=villages, year=year)
    return StatementReport(
        year=year, system_code=system_code, system_name=spec["name"], document=spec["document"],
        basis=FORM_BASIS[system_code], lines=tuple(lines), checks=checks,
        villages_in_scope=counts["reported"] + len(missing), villages_reported=counts["reported"],
        missing=tuple(missing),
    )


def _missing_villages(*, villages: QuerySet[Village], year: int) -> list[MissingVillage]:
    """The villages of `villages` without an approved `year`, with the status their year has (one query)."""
    of_year = LedgerYear.objects.filter(village=OuterRef("pk"), year=year)
    rows = (villages.order_by().filter(~Exists(of_year.filter(status=LedgerYear.Status.APPROVED)))
            .annotate(year_status=Subquery(of_year.values("status")[:1]))
            .order_by("code").values_list("code", "name", "town__name", "year_status"))
    return [MissingVillage(code, name, town, status or NOT_OPENED) for code, name, town, status in rows]
