"""Sheets of cells → one complete statement per village-year, with every problem found.

Ledgers arrive in two layouts:
- wide: one row per village, one column per line item (the yearly 收益分配 statistics table), often
  with a title, `单位：万元`, headers over two rows (收入/支出 above the items), derived columns
  (总收入, 本年收益 …) and 合计 rows;
- long: one row per line (年度, 乡镇, 村, 科目, 项目, 金额 …).
Both are recognised from their header row; nothing depends on the sheet name or column order.
"""

import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils import get_column_letter

from villages.models import Town, Village

from ..metrics import figures_for
from ..models import AccountingSystem, LedgerLine, LineItem, Metric
from ..money import (
    MAX_FIGURE,
    MAX_LINE_AMOUNT,
    MAX_STATEMENT_LINES,
    UNIT_CODES,
    UNITS,
    WAN,
    YUAN,
    AmountError,
    amount_step,
    parse_amount,
)
from ..spreadsheets import restore_neutralized
from ..statements import LineInput
from ..systems import year_problem
from ..text import clean_text as clean_free_text
from .cells import clean_text
from .places import Places
from .problems import Problem
from .reader import Sheet

HEADER_SEARCH_ROWS = 40
MAX_PROBLEMS = 1000
LINE_NAME_MAX = LedgerLine._meta.get_field("name").max_length  # 项目
NOTE_MAX = LedgerLine._meta.get_field("note").max_length  # 备注

# Header words, after `clean_label` (no spaces, no parentheses, no numbering).
VILLAGE_WORDS = {"村", "村名", "村名称", "村庄", "村委会", "村居", "村居名称", "行政村", "村别", "村社区", "单位",
                 "单位名称", "村集体", "村集体经济组织", "村级组织", "名称", "村委会名称"}
CODE_WORDS = {"区划代码", "统计用区划代码", "代码", "村代码", "行政区划代码", "编码", "村编码", "区划编码"}
TOWN_WORDS = {"乡镇", "镇", "乡", "乡镇街道", "镇街道", "镇街", "街道", "乡镇名称", "所属乡镇"}
YEAR_WORDS = {"年度", "年份", "年", "会计年度"}
ITEM_WORDS = {"科目", "科目名称", "会计科目", "收支科目", "项目类别", "指标", "指标名称"}
LINE_NAME_WORDS = {"项目", "明细项目", "项目名称", "明细", "摘要", "明细名称"}
AMOUNT_WORDS = {"金额", "本年数", "本年金额", "本年累计数", "数额", "发生额", "本年发生额", "本年累计", "金额数", "本期金额"}
NOTE_WORDS = {"备注", "说明"}
# Columns and rows that belong to the form but are not line items: read past them.
IGNORED_WORDS = {
    "序号", "行次", "编号", "村书记", "负责人", "联系电话", "收入", "支出", "其中", "年初未分配收益", "其他转入",
    "可分配收益", "各项分配", "提取公积公益金", "提取应付福利费", "提取福利费", "外来投资分利", "农户分配", "其他",
    "年末未分配收益", "收益总额", "利润总额", "应付福利费", "收益分配", "分配",
}
# Derived figures people put in their tables, checked against the items and never stored.
DERIVED_ALIASES = {"收入合计": "total_income", "总收入": "total_income", "经营性收入": "operating_income",
                   "支出合计": "total_expense", "总支出": "total_expense", "经营收益": "operating_profit",
                   "本年收益": "net_income", "净收益": "net_profit", "本年净收益": "net_profit"}
TOTAL_RE = re.compile(r"(合计|小计|总计|汇总|全镇|全乡|全县|全市|累计)")
FOOTER_RE = re.compile(r"^(填表人|填报人|制表人|审核人|审核|复核人|负责人|单位负责人|分管领导|主管|站长|经办人|"
                       r"填表日期|填报日期|制表日期|报送日期|日期|联系电话|电话|注[:：]|说明[:：]|备注[:：])")
UNIT_RE = re.compile(r"单位[:：]?(万元|千元|亿元|元)")
YEAR_CELL_RE = re.compile(r"(?:年度|年份)[:：]?((?:19|20)\d{2})")
YEAR_TITLE_RE = re.compile(r"((?:19|20)\d{2})年")
PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
NUMBERING_RE = re.compile(r"^(?:[0-9]+|[一二三四五六七八九十]+)[、.)]|^(?:其中|减|加)[:：]")


@dataclass
class ParsedFile:
    """What the file states: lines per (village id, year), plus the problems that stop the import."""

    statements: dict[tuple[int, int], dict[tuple[int, str], LineInput]] = field(default_factory=dict)
    villages: dict[int, Village] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how each sheet was read, shown on the preview
    # What a person should look at before confirming (text whose decoding is doubtful); also in notes.
    warnings: list[Problem] = field(default_factory=list)
    unreadable: set = field(default_factory=set)  # village-years with a bad amount: totals not checked
    # Where each village-year first appears (sheet, row number), for problems about the whole year.
    origins: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    rows_read: int = 0

    @property
    def line_count(self) -> int:
        return sum(len(lines) for lines in self.statements.values())

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


def stored_text(value) -> str:
    """Free text to keep (项目 names, notes): as written, without control characters, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_free_text(value)


def clean_label(value) -> tuple[str, str | None]:
    """A header cell → (label without spaces, numbering and parentheses; unit it states or None)."""
    text = re.sub(r"\s+", "", clean_text(value))
    unit = None
    if "万元" in text:
        unit = WAN
    elif match := re.search(r"千元|亿元", text):  # statistical tables' units: read in them, not in 元
        unit = UNIT_CODES[match.group(0)]
    elif re.search(r"[(\[【]元[)\]】]|单位:?元|\(元\)$", text):
        unit = YUAN
    text = PAREN_RE.sub("", text)
    text = NUMBERING_RE.sub("", text)
    text = text.replace("万元", "").rstrip(":：")
    return text, unit


class Catalog:
    """The accounting systems, their items and the item names people type, loaded once per import."""

    def __init__(self):
        self.systems = list(AccountingSystem.objects.all())
        self.items: dict[tuple[int, str], LineItem] = {}
        self.code_by_name: dict[str, str] = {}
        for item in LineItem.objects.all():
            self.items[(item.system_id, item.code)] = item
            for name in [item.name, *re.split(r"[、,，;；/]", item.aliases)]:
                label, _ = clean_label(name)
                if label:
                    self.code_by_name.setdefault(label, item.code)
        self.derived = dict(DERIVED_ALIASES)
        for code, name in Metric.objects.values_list("code", "name"):
            self.derived.setdefault(clean_label(name)[0], code)
        self.metric_names = dict(Metric.objects.values_list("code", "name"))
        self._system_by_year: dict[int, AccountingSystem | None] = {}

    def system_for(self, year: int) -> AccountingSystem | None:
        if year not in self._system_by_year:
            self._system_by_year[year] = next(
                (s for s in self.systems if s.first_year <= year and (s.last_year is None or year <= s.last_year)),
                None,
            )
        return self._system_by_year[year]

    def item_code(self, label: str) -> str | None:
        return self.code_by_name.get(label)

    def derived_code(self, label: str) -> str | None:
        # An item name wins: 投资收益 is both an item and a figure, and is stored as the item.
        return None if label in self.code_by_name else self.derived.get(label)


@dataclass
class Column:
    index: int
    label: str
    role: str  # village, code, town, year, item, line_name, amount, note, item_value, derived, ignored, unknown
    code: str = ""  # item code (item_value) or metric code (derived)
    unit: str | None = None

    def __post_init__(self):
        self.letter = get_column_letter(self.index + 1)


def parse_sheets(sheets: list[Sheet], *, catalog: Catalog, places: Places, town: Town | None = None,
                 year: int | None = None) -> ParsedFile:
    """Read every sheet; sheets without a ledger header are skipped (and said so)."""
    parsed = ParsedFile()
    derived: list[tuple[tuple[int, int], str, Decimal, Decimal, Problem]] = []
    origins: dict[tuple, tuple[Decimal, str, int]] = {}  # where each line was first stated
    read_any = False
    for sheet in sheets:
        for index, message in sheet.warnings:
            warning = Problem(sheet.name, index + 1, "", "", message)
            parsed.warnings.append(warning)
            parsed.notes.append(f"注意：{warning}")
        read_any |= _parse_sheet(sheet, parsed, derived, origins, catalog=catalog, places=places, town=town,
                                 year=year)
    if not read_any:
        parsed.add(Problem(sheet="", row=None, column="", value="",
                           reason="没有找到台账表头：需要“村”或“区划代码”列，以及科目列（宽表）或“科目”“金额”列（长表）"))
    _check_derived(parsed, derived, catalog)
    return parsed


def _find_header(rows: list[list], catalog: Catalog) -> tuple[int, int, list[Column]] | None:
    """The header: the row (or pair of rows) in the first rows that names the most known columns."""
    best = None
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    labelled = [[clean_label(cell) for cell in rows[r]] for r in range(limit)]
    for r in range(limit):
        candidates = [(r, r, labelled[r])]
        if r + 1 < limit:
            upper, lower = labelled[r], labelled[r + 1]
            width = max(len(upper), len(lower))
            combined = []
            for c in range(width):
                up = upper[c] if c < len(upper) else ("", None)
                low = lower[c] if c < len(lower) else ("", None)
                label = low[0] or up[0]
                combined.append((label, low[1] or up[1]))
            candidates.append((r, r + 1, combined))
        for start, end, labels in candidates:
            columns = [_column(c, label, unit, catalog) for c, (label, unit) in enumerate(labels)]
            roles = [col.role for col in columns]
            has_place = "village" in roles or "code" in roles
            long = "item" in roles and "amount" in roles
            wide = "item_value" in roles
            if not has_place or not (long or wide):
                continue
            # The most known columns wins; on a tie one header row beats two (a 单位 line above
            # the header adds nothing).
            score = (sum(role not in ("unknown", "ignored") for role in roles), start - end)
            if best is None or score > best[0]:
                best = (score, start, end, columns)
    return None if best is None else best[1:]


def _column(index: int, label: str, unit: str | None, catalog: Catalog) -> Column:
    for role, words in (("village", VILLAGE_WORDS), ("code", CODE_WORDS), ("town", TOWN_WORDS),
                        ("year", YEAR_WORDS), ("item", ITEM_WORDS), ("line_name", LINE_NAME_WORDS),
                        ("amount", AMOUNT_WORDS), ("note", NOTE_WORDS)):
        if label in words:
            return Column(index, label, role, unit=unit)
    code = catalog.item_code(label)
    if code:
        return Column(index, label, "item_value", code=code, unit=unit)
    code = catalog.derived_code(label)
    if code:
        return Column(index, label, "derived", code=code, unit=unit)
    if not label or label in IGNORED_WORDS:
        return Column(index, label, "ignored")
    return Column(index, label, "unknown")


def _sheet_facts(rows: list[list], upto: int) -> tuple[str | None, int | None, str]:
    """Unit, year and title text stated above (or in) the header."""
    unit = None
    year = None
    title = []
    for row in rows[:upto]:
        for cell in row:
            text = re.sub(r"\s+", "", clean_text(cell))
            if not text:
                continue
            title.append(text)
            match = UNIT_RE.search(text)
            if match and unit is None:
                unit = UNIT_CODES[match.group(1)]
            match = YEAR_CELL_RE.search(text) or YEAR_TITLE_RE.search(text)
            if match and year is None:
                year = int(match.group(1))
    return unit, year, " ".join(title)


def _amount(value, unit: str, *, allow_negative: bool = False, limit: Decimal = MAX_LINE_AMOUNT) -> Decimal | None:
    if isinstance(value, (bool, date, datetime)):
        raise AmountError("不是金额")
    if isinstance(value, float):
        # Excel keeps binary floats (12.3 → 12.300000000000001); a ledger never has more than 6
        # decimals in 万元, so round off the binary noise before the exact Decimal check.
        value = Decimal(repr(round(value, 8)))
    # A unit written in the cell wins over the column's.
    return parse_amount(value, unit, allow_negative=allow_negative, limit=limit)


def _year_of(value) -> int | None:
    text = clean_text(value)
    match = re.search(r"(?:19|20)\d{2}", text)
    return int(match.group(0)) if match else None


def _parse_sheet(sheet: Sheet, parsed: ParsedFile, derived, origins, *, catalog: Catalog, places: Places,
                 town: Town | None, year: int | None) -> bool:
    rows = sheet.rows
    header = _find_header(rows, catalog)
    if header is None:
        if any(any(clean_text(c) for c in row) for row in rows):
            parsed.notes.append(f"工作表“{sheet.name}”：没有找到台账表头，已跳过。")
        return False
    start, end, columns = header
    sheet_unit, sheet_year, title = _sheet_facts(rows, end + 1)
    if year is not None and sheet_year is not None and sheet_year != year:
        parsed.add(Problem(sheet.name, None, "", str(sheet_year), f"文件标明的年度是 {sheet_year} 年，与指定的 {year} 年不符"))
    default_year = year or sheet_year
    sheet_town = town or places.town_in_text(title)
    by_role: dict[str, list[Column]] = {}
    for column in columns:
        by_role.setdefault(column.role, []).append(column)
    long = "item" in by_role and "amount" in by_role
    unit_note = UNITS[sheet_unit][0] if sheet_unit else "元（文件未注明单位，按元读取）"
    parsed.notes.append(
        f"工作表“{sheet.name}”：{'长表（每行一条明细）' if long else '宽表（每行一个村）'}，表头在第 {start + 1}"
        f"{'—' + str(end + 1) if end > start else ''} 行，单位 {unit_note}"
        + (f"，年度 {default_year}" if default_year else "")
        + (f"，乡镇 {sheet_town.name}" if sheet_town else "")
    )
    unit = sheet_unit or YUAN
    context = _RowContext(sheet, parsed, derived, origins, catalog, places, sheet_town, default_year, unit,
                          town_given=town, year_given=year)
    context.place_indexes = [column.index for role in ("village", "code", "town") for column in by_role.get(role, [])]
    context.place_cells = _cells_getter(context.place_indexes)
    # The cells that decide a row's village and year, read with one C-level call per row.
    key_indexes = [by_role[role][0].index for role in ("town", "year", "code", "village") if by_role.get(role)]
    context.place_key = _cells_getter(key_indexes)
    for column in by_role.get("unknown", []):
        # A column we cannot name that holds numbers is most likely an item typed differently: say so
        # rather than drop its amounts.
        if any(_is_number(row[column.index]) for row in rows[end + 1:end + 200] if column.index < len(row)):
            parsed.add(Problem(sheet.name, end + 1, column.letter, column.label,
                               "无法识别的列：不是会计制度中的科目，也不是已知的合计列；请改用标准科目名称"))
    footers: dict = {}  # first cell → is it a 填表人/日期 line (a file repeats few distinct first cells)
    for r in range(end + 1, len(rows)):
        row = rows[r]
        first = next((cell for cell in row if cell != "" and cell is not None), None)
        if first is None:
            continue
        parsed.rows_read += 1
        if first not in footers:
            footers[first] = bool(FOOTER_RE.match(re.sub(r"\s+", "", clean_text(first))))
        if footers[first]:
            continue
        if len(row) < len(columns):
            row = row + [""] * (len(columns) - len(row))  # short CSV lines
        if context.is_total(row, first):
            continue
        if long:
            context.long_row(r, row, by_role)
        else:
            context.wide_row(r, row, by_role)
    return True


def _cells_getter(indexes: list[int]):
    """A row → the tuple of its cells at `indexes`, in one C-level call (itemgetter)."""
    if not indexes:
        return lambda row: ()
    getter = operator.itemgetter(*indexes)
    return getter if len(indexes) > 1 else (lambda row: (getter(row),))


def _is_number(value) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    text = clean_text(value).replace(",", "")
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", text))


class _RowContext:
    def __init__(self, sheet, parsed, derived, origins, catalog, places, town, year, unit, *, town_given, year_given):
        self.sheet, self.parsed, self.derived, self.origins = sheet, parsed, derived, origins
        self.catalog, self.places, self.town, self.year, self.unit = catalog, places, town, year, unit
        self.town_given, self.year_given = town_given, year_given
        self._towns: dict[str, tuple] = {}
        self._totals: dict[tuple, bool] = {}
        self._places: dict[tuple, tuple] = {}
        self._labels: dict = {}
        self._texts: dict = {}
        self.place_indexes: list[int] = []
        self.place_cells = None
        self.place_key = None
        self._long_columns = None

    def problem(self, r: int, column: Column | None, value, reason: str) -> None:
        label = f"{column.letter}（{column.label}）" if column and column.label else (column.letter if column else "")
        self.parsed.add(Problem(self.sheet.name, r + 1, label, clean_text(value)[:100], reason))

    @staticmethod
    def cell(row: list, column: Column | None):
        if column is None or column.index >= len(row):
            return ""
        return row[column.index]

    def is_total(self, row: list, first) -> bool:
        """A 合计/小计 row (in the place columns or the first filled cell): skipped, not a village."""
        key = (self.place_cells(row), first)
        if key not in self._totals:
            first_text = clean_text(first)
            self._totals[key] = (
                any(TOTAL_RE.search(clean_text(row[i])) for i in self.place_indexes)
                or (bool(TOTAL_RE.search(first_text)) and not _is_number(first_text))
            )
        return self._totals[key]

    def free_text(self, r: int, column: Column | None, value, length: int) -> str | None:
        """项目/备注 as they will be stored; None (and a problem) when longer than the field holds:
        cutting it would change what the file says without a word."""
        if value == "" or value is None:
            return ""
        if value not in self._texts:
            # Stored as typed: NFKC (used for matching labels and names) would turn the full-width
            # punctuation of 项目 names and notes (，（）) into ASCII and change what the user wrote.
            self._texts[value] = restore_neutralized(re.sub(r"\s+", " ", stored_text(value)))
        text = self._texts[value]
        if len(text) > length:
            self.problem(r, column, text, f"{column.label}最多 {length} 个字，这里有 {len(text)} 个字：请缩短后再导入")
            return None
        return text

    def place(self, r: int, row: list, by_role) -> tuple[Village | None, int | None]:
        """The village and year of a row. Rows repeat the same few places, so each distinct
        (town, year, code, name) is resolved once; its problems are reported for every row."""
        key = self.place_key(row)
        if key not in self._places:
            found: list[tuple] = []
            result = self._place(row, by_role, lambda column, value, reason: found.append((column, value, reason)))
            self._places[key] = (result, found)
        result, found = self._places[key]
        for column, value, reason in found:
            self.problem(r, column, value, reason)
        if result[0] is not None:
            self.parsed.villages[result[0].id] = result[0]
        return result

    def _place(self, row: list, by_role, report) -> tuple[Village | None, int | None]:
        town = self.town
        town_column = (by_role.get("town") or [None])[0]
        if town_column is not None and clean_text(self.cell(row, town_column)):
            text = clean_text(self.cell(row, town_column))
            if text not in self._towns:
                self._towns[text] = self.places.town(text)
            found, reason = self._towns[text]
            if found is None:
                report(town_column, text, reason)
                return None, None
            if self.town_given is not None and found.pk != self.town_given.pk:
                report(town_column, text, f"与指定的乡镇“{self.town_given.name}”不符")
                return None, None
            town = found
        year = self.year
        year_column = (by_role.get("year") or [None])[0]
        if year_column is not None and clean_text(self.cell(row, year_column)):
            value = self.cell(row, year_column)
            year = _year_of(value)
            if year is None:
                report(year_column, value, "年度应为四位数字，如 2023")
                return None, None
            if self.year_given is not None and year != self.year_given:
                report(year_column, value, f"与指定的 {self.year_given} 年不符")
                return None, None
        code_column = (by_role.get("code") or [None])[0]
        name_column = (by_role.get("village") or [None])[0]
        village, reason = self.places.village(self.cell(row, code_column), self.cell(row, name_column), town)
        if village is None:
            column = code_column if clean_text(self.cell(row, code_column)) else name_column
            report(column, self.cell(row, column), reason)
            return None, None
        if year is None:
            report(year_column, "", "不知道这一行是哪一年的：请在标题、“年度：”单元格或年度列中注明，或导入时指定年度")
            return None, None
        if self.catalog.system_for(year) is None:
            report(year_column, year, (year_problem(year) or f"{year} 年没有适用的会计制度").rstrip("。"))
            return None, None
        self.parsed.villages[village.pk] = village
        return village, year

    def item(self, r: int, column: Column, code: str, label: str, year: int) -> LineItem | None:
        system = self.catalog.system_for(year)
        item = self.catalog.items.get((system.id, code))
        if item is None:
            self.problem(r, column, label, f"{year} 年适用的{system}中没有科目“{label}”")
        return item

    def add_line(self, r: int, column: Column, village: Village, year: int, item: LineItem, name: str,
                 amount: Decimal, note: str = "") -> None:
        key = (village.id, year)
        lines = self.parsed.statements.get(key)
        if lines is None:
            lines = self.parsed.statements[key] = {}
            self.parsed.origins[key] = (self.sheet.name, r + 1)
        line_key = (item.id, name)
        if line_key not in lines and len(lines) == MAX_STATEMENT_LINES:
            # So that the figures, sums of at most this many lines, fit (ledger.money.MAX_FIGURE).
            self.problem(r, column, amount, f"{village.name} {year} 年的明细超过 {MAX_STATEMENT_LINES} 行，"
                                            "请合并部分项目")
            return
        if line_key in lines:
            first_amount, sheet_name, row_number = self.origins[(key, line_key)]
            if first_amount != amount:
                what = f"{item.name}{'·' + name if name else ''}"
                self.problem(r, column, amount, f"{village.name} {year} 年“{what}”重复且金额不同"
                                                f"（工作表“{sheet_name}”第 {row_number} 行为 {first_amount} 元）")
            return
        lines[line_key] = LineInput(item_id=item.id, amount=amount, name=name, note=note)
        self.origins[(key, line_key)] = (amount, self.sheet.name, r + 1)

    def read_amount(self, r: int, column: Column, value, unit: str) -> tuple[bool, Decimal | None]:
        try:
            return True, _amount(value, unit)
        except AmountError as exc:
            self.problem(r, column, value, str(exc))
            return False, None

    def wide_row(self, r: int, row: list, by_role) -> None:
        values = [(column, self.cell(row, column)) for column in by_role.get("item_value", [])]
        stated = [(column, self.cell(row, column)) for column in by_role.get("derived", [])]
        if not any(clean_text(v) for _, v in values + stated):
            return  # a village without figures in this file: not covered, left as it is
        village, year = self.place(r, row, by_role)
        if village is None:
            return
        for column, value in values:
            ok, amount = self.read_amount(r, column, value, column.unit or self.unit)
            if not ok:
                self.parsed.unreadable.add((village.pk, year))
            if not ok or amount is None:
                continue
            item = self.item(r, column, column.code, column.label, year)
            if item is not None:
                self.add_line(r, column, village, year, item, "", amount)
        for column, value in stated:
            self.stated(r, column, village, year, column.code, value, column.unit or self.unit)

    def long_row(self, r: int, row: list, by_role) -> None:
        if self._long_columns is None:
            self._long_columns = (by_role["item"][0], by_role["amount"][0], (by_role.get("line_name") or [None])[0],
                                  (by_role.get("note") or [None])[0])
        item_column, amount_column, name_column, note_column = self._long_columns
        raw_label = row[item_column.index]
        if raw_label not in self._labels:
            label_text = clean_text(raw_label)
            label, _ = clean_label(label_text)
            code = self.catalog.item_code(label)
            metric = None if code else self.catalog.derived_code(label)
            skip = bool(TOTAL_RE.search(label_text)) or (not code and not metric and label in IGNORED_WORDS)
            self._labels[raw_label] = (label_text, label, code, metric, skip)
        label_text, label, code, metric, skip = self._labels[raw_label]
        if skip:
            return
        value = row[amount_column.index]
        if value == "" or value is None or (isinstance(value, str) and not value.strip()):
            return  # blank amount: no entry
        village, year = self.place(r, row, by_role)
        if village is None:
            return
        unit = amount_column.unit or self.unit
        if metric:
            self.stated(r, amount_column, village, year, metric, value, unit)
            return
        if not code:
            reason = "缺少科目" if not label else "不是会计制度中的科目"
            self.problem(r, item_column, label_text, reason)
            return
        ok, amount = self.read_amount(r, amount_column, value, unit)
        if not ok:
            self.parsed.unreadable.add((village.pk, year))
        if not ok or amount is None:
            return
        item = self.item(r, item_column, code, label_text, year)
        if item is None:
            return
        name = self.free_text(r, name_column, self.cell(row, name_column), LINE_NAME_MAX)
        note = self.free_text(r, note_column, self.cell(row, note_column), NOTE_MAX)
        if name is None or note is None:
            self.parsed.unreadable.add((village.pk, year))
            return
        self.add_line(r, amount_column, village, year, item, name, amount, note)

    def stated(self, r: int, column: Column, village: Village, year: int, metric: str, value, unit: str) -> None:
        text = clean_text(value)
        if not text:
            return
        try:
            # 经营收益、本年收益 may be losses; a total is bounded as a figure, not as a line.
            amount = _amount(value, unit, allow_negative=True, limit=MAX_FIGURE)
        except AmountError as exc:
            self.problem(r, column, value, str(exc))
            return
        if amount is None:
            return
        # The precision the file shows, to compare at the same rounding: 12.35 万元 is ±50 元.
        tolerance = max(Decimal("0.01"), amount_step(text if isinstance(value, str) else value, unit) / 2)
        self.derived.append(((village.pk, year), metric, amount, tolerance,
                             Problem(self.sheet.name, r + 1, f"{column.letter}（{column.label}）", text, "")))


def _check_derived(parsed: ParsedFile, derived, catalog: Catalog) -> None:
    for key, metric, stated, tolerance, where in derived:
        if key in parsed.unreadable:
            continue  # the bad amount is already reported; a total built without it would be noise
        lines = parsed.statements.get(key, {})
        computed = figures_for((line.item_id, line.amount) for line in lines.values())[metric]
        if abs(computed - stated) > tolerance:
            name = catalog.metric_names.get(metric, metric)
            where.reason = (f"{name}与各科目不符：按科目计算为 {computed.quantize(Decimal('0.01'), ROUND_HALF_UP):,} 元，"
                            f"表中为 {stated:,} 元")
            parsed.add(where)
