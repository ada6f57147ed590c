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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils import get_column_letter

from villages.models import Town, Village

from ..metrics import figures_for
from ..models import LedgerLine, LineItem
from ..money import (
    MAX_FIGURE,
    MAX_STATEMENT_LINES,
    UNIT_CODES,
    UNITS,
    YUAN,
    AmountError,
    amount_step,
)
from ..spreadsheets import restore_neutralized
from ..statements import LineInput, negative_message
from ..systems import year_problem
from .cells import cell_amount, clean_text, stored_text
from .parsed import ParsedFile
from .places import Places
from .problems import Problem
from .reader import Sheet
from .vocabulary import (
    AMBIGUOUS_CODE_WORDS,
    AMOUNT_WORDS,
    CODE_ROW_MARKS,
    CODE_WORDS,
    FOOTER_RE,
    IGNORED_WORDS,
    ITEM_WORDS,
    LINE_CODE_WORDS,
    LINE_NAME_WORDS,
    MAX_LINE_CODE,
    NON_LINE_WORDS,
    NOTE_WORDS,
    OTHER_BY_GROUP,
    OTHER_LABELS,
    ROW_NUMBER_WORDS,
    TOTAL_RE,
    TOWN_WORDS,
    UNIT_RE,
    VILLAGE_WORDS,
    YEAR_CELL_RE,
    YEAR_TITLE_RE,
    YEAR_WORDS,
    Catalog,
    clean_label,
)

HEADER_SEARCH_ROWS = 40
LINE_NAME_MAX = LedgerLine._meta.get_field("name").max_length  # 项目
NOTE_MAX = LedgerLine._meta.get_field("note").max_length  # 备注



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
    _check_parts(parsed, origins, catalog)
    if parsed.appendix_rows:
        parsed.notes.append(f"未导入：{parsed.appendix_rows} 行附报（代码 22–28，村数统计）不是某个村的金额，"
                            "由系统按各村的账汇总，没有导入。")
    return parsed


def _find_header(rows: list[list], catalog: Catalog) -> tuple[int, int, list[Column]] | None:
    """The header: the row (or pair of rows) in the first rows that names the most known columns."""
    best = None
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    labelled = [[clean_label(cell) for cell in rows[r]] for r in range(limit)]
    for r in range(limit):
        candidates = [(r, r, labelled[r], [""] * len(labelled[r]))]
        if r + 1 < limit:
            upper, lower = labelled[r], labelled[r + 1]
            width = max(len(upper), len(lower))
            combined, groups = [], []
            group = ""  # the header above a group of columns (收入, 支出, 各项分配), carried right over
            for c in range(width):  # the blank cells of its span where the file has no merge
                up = upper[c] if c < len(upper) else ("", None)
                low = lower[c] if c < len(lower) else ("", None)
                label = low[0] or up[0]
                combined.append((label, low[1] or up[1]))
                group = up[0] if up[0] else (group if low[0] else "")
                groups.append(group if low[0] else "")
            candidates.append((r, r + 1, combined, groups))
        for start, end, labels, groups in candidates:
            columns = [_column(c, label, unit, catalog, group=groups[c] if c < len(groups) else "")
                       for c, (label, unit) in enumerate(labels)]
            _resolve_codes(columns, rows, end)
            roles = [col.role for col in columns]
            has_place = "village" in roles or "code" in roles
            long = ("item" in roles or "line_code" in roles) and "amount" in roles
            wide = "item_value" in roles
            if not has_place or not (long or wide):
                continue
            # The most known columns wins; on a tie one header row beats two (a 单位 line above
            # the header adds nothing).
            score = (sum(role not in ("unknown", "ignored") for role in roles), start - end)
            if best is None or score > best[0]:
                best = (score, start, end, columns)
    if best is None:
        return None
    _, start, end, columns = best
    if not any(column.role == "amount" for column in columns) or not any(
            column.role in ("item", "line_code") for column in columns):
        for column in columns:  # a wide table's 行次 column numbers its rows
            if column.role == "line_code":
                column.role = "ignored"
    return start, end, columns


def _column(index: int, label: str, unit: str | None, catalog: Catalog, *, group: str = "") -> Column:
    if label in OTHER_LABELS and group:
        # “其他” under 收入 / 支出 / 转入 / 各项分配 is that group's line.
        label = next((name for word, name in OTHER_BY_GROUP if word in group), label)
    if label in LINE_CODE_WORDS:
        return Column(index, label, "line_code", unit=unit)
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
    if label in NON_LINE_WORDS:
        return Column(index, label, "non_line")
    if not label or label in IGNORED_WORDS:
        return Column(index, label, "ignored")
    return Column(index, label, "unknown")


def _resolve_codes(columns: list[Column], rows: list[list], end: int) -> None:
    """A “代码” column whose cells are small whole numbers (1–28) gives each row's line (the national
    form's 代码), not a village's 区划代码 (twelve digits)."""
    ambiguous = [column for column in columns if column.role == "code" and column.label in AMBIGUOUS_CODE_WORDS]
    if not ambiguous:
        return
    for column in ambiguous:
        values = [row[column.index] for row in rows[end + 1:end + 60]
                  if column.index < len(row) and clean_text(row[column.index])]
        if values and all(_line_code_of(value) is not None for value in values):
            column.role = "line_code"


def _line_code_of(value) -> int | None:
    """A cell as a line's 代码 (1–28), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value if 1 <= value <= MAX_LINE_CODE else None
    text = clean_text(value)
    return int(text) if text.isdigit() and 1 <= int(text) <= MAX_LINE_CODE else None


def _sheet_facts(rows: list[list], upto: int) -> tuple[str | None, int | None, str, tuple[int, int] | None]:
    """Unit, year and title text stated above (or in) the header, and the cell (row, column; 0-based)
    that states the year."""
    unit = None
    year = None
    year_cell = None
    title = []
    for r, row in enumerate(rows[:upto]):
        for c, cell in enumerate(row):
            text = re.sub(r"\s+", "", clean_text(cell))
            if not text:
                continue
            title.append(text)
            match = UNIT_RE.search(text)
            if match and unit is None:
                unit = UNIT_CODES[match.group(1)]
            match = YEAR_CELL_RE.search(text) or YEAR_TITLE_RE.search(text)
            if match and year is None:
                year, year_cell = int(match.group(1)), (r, c)
    return unit, year, " ".join(title), year_cell


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
    sheet_unit, sheet_year, title, year_cell = _sheet_facts(rows, end + 1)
    if year is not None and sheet_year is not None and sheet_year != year:
        r, c = year_cell
        parsed.add(Problem(sheet.name, r + 1, get_column_letter(c + 1), clean_text(rows[r][c])[:100],
                           f"文件标明的年度是 {sheet_year} 年，与指定的 {year} 年不符"))
    default_year = year or sheet_year
    sheet_town = town or places.town_in_text(title)
    by_role: dict[str, list[Column]] = {}
    for column in columns:
        by_role.setdefault(column.role, []).append(column)
    long = ("item" in by_role or "line_code" in by_role) and "amount" in by_role
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
    _check_unread_columns(sheet, parsed, columns, end, long=long)
    footers: dict = {}  # first cell → is it a 填表人/日期 line (a file repeats few distinct first cells)
    for r in range(end + 1, len(rows)):
        row = rows[r]
        first = row[0] if row else None  # the first filled cell: most rows fill their first
        if first == "" or first is None:
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


# The columns each layout reads; any other column with numbers in it is refused or named as not imported.
READ_ROLES = {
    True: {"village", "code", "town", "year", "item", "line_code", "line_name", "amount", "note"},
    False: {"village", "code", "town", "year", "item_value", "derived"},
}


def _check_unread_columns(sheet: Sheet, parsed: ParsedFile, columns: list[Column], end: int, *, long: bool) -> None:
    """No number in the file is dropped without a word: a column the layout does not read that holds
    numbers is refused (a line typed differently, a total we do not know), or, for columns known not
    to be lines of the statement (人口, 户数, 上年数 …), named on the preview as not imported."""
    data = sheet.rows[end + 1:]
    beyond = [row for row in data if len(row) > len(columns)]  # cells right of the header
    width = max(map(len, beyond), default=0)
    unread = [column for column in columns if column.role not in READ_ROLES[long]
              and not (column.role == "ignored" and column.label in ROW_NUMBER_WORDS | AMBIGUOUS_CODE_WORDS)]
    unread += [Column(index, "", "unknown") for index in range(len(columns), width)]
    for column in unread:
        index = column.index
        rows = beyond if index >= len(columns) else data
        if not any(_is_number(row[index]) for row in rows if index < len(row) and row[index] not in ("", None)):
            continue
        if column.role == "non_line" or (not long and column.role in ("note", "line_name")):
            parsed.skipped_columns.append((sheet.name, column.letter, column.label))
            parsed.notes.append(f"未导入：工作表“{sheet.name}”的 {column.letter} 列（{column.label}）不是收益分配表的"
                                "科目，其中的数字没有导入。")
        elif not column.label:
            parsed.add(Problem(sheet.name, end + 1, column.letter, "",
                               "这一列没有列名却有数字：请在表头写明它是哪个科目，或删除这一列"))
        elif column.role in ("item_value", "derived") and long:
            parsed.add(Problem(sheet.name, end + 1, column.letter, column.label,
                               "长表（每行一条明细）中不能再有科目列：请把这一列改成“科目”“金额”两列的行，或另用宽表"))
        elif column.role in ("amount", "item"):
            parsed.add(Problem(sheet.name, end + 1, column.letter, column.label,
                               "宽表（每行一个村）中这一列的数字无法对应到科目：请改用科目名称作列名"))
        else:
            parsed.add(Problem(sheet.name, end + 1, column.letter, column.label,
                               "无法识别的列：不是会计制度中的科目，也不是已知的合计列；请改用标准科目名称"))


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
        self._resolved: dict[tuple, tuple] = {}  # places found without a problem
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
        """A 合计/小计 row (in the place columns or the first filled cell), or the row of column numbers
        the national form prints under its header (甲 乙 1 2 3 …): skipped, not a village."""
        key = (self.place_cells(row), first)
        if key not in self._totals:
            first_text = clean_text(first)
            places = [clean_text(row[i]) for i in self.place_indexes]
            self._totals[key] = (
                any(TOTAL_RE.search(text) for text in places)
                or (bool(TOTAL_RE.search(first_text)) and not _is_number(first_text))
                or (any(places) and all(text in CODE_ROW_MARKS or not text for text in places))
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
        resolved = self._resolved.get(key)
        if resolved is not None:
            return resolved  # the common row: a place seen before, without a problem
        if key not in self._places:
            found: list[tuple] = []
            result = self._place(row, by_role, lambda column, value, reason: found.append((column, value, reason)))
            self._places[key] = (result, found)
        result, found = self._places[key]
        for column, value, reason in found:
            self.problem(r, column, value, reason)
        if result[0] is not None:
            self.parsed.villages[result[0].id] = result[0]
            if not found:
                self._resolved[key] = result
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
        lines[line_key] = LineInput(item.id, amount, name, note)
        self.origins[(key, line_key)] = (amount, self.sheet.name, r + 1)
        if item.part_of_id:
            self.parsed.with_parts.add(key)

    def read_amount(self, r: int, column: Column, value, unit: str, item: LineItem) -> tuple[bool, Decimal | None]:
        """The cell as 元 for `item`: a minus sign only on the lines that may be negative (投资收益,
        年初未分配收益), with a message naming the line otherwise."""
        try:
            amount = cell_amount(value, unit, allow_negative=True)
        except AmountError as exc:
            self.problem(r, column, value, str(exc))
            return False, None
        if amount is not None and amount < 0 and not item.may_be_negative:
            self.problem(r, column, value, negative_message(item.name).rstrip("。"))
            return False, None
        return True, amount

    def wide_row(self, r: int, row: list, by_role) -> None:
        values = [(column, self.cell(row, column)) for column in by_role.get("item_value", [])]
        stated = [(column, self.cell(row, column)) for column in by_role.get("derived", [])]
        if not any(clean_text(v) for _, v in values + stated):
            return  # a village without figures in this file: not covered, left as it is
        village, year = self.place(r, row, by_role)
        if village is None:
            return
        for column, value in values:
            if value == "" or value is None:
                continue
            item = self.item(r, column, column.code, column.label, year)
            if item is None:
                continue
            ok, amount = self.read_amount(r, column, value, column.unit or self.unit, item)
            if not ok:
                self.parsed.unreadable.add((village.pk, year))
            if not ok or amount is None:
                continue
            self.add_line(r, column, village, year, item, "", amount)
        for column, value in stated:
            self.stated(r, column, village, year, column.code, value, column.unit or self.unit)

    def _long_label(self, raw_label) -> tuple:
        if raw_label not in self._labels:
            label_text = clean_text(raw_label)
            label, _ = clean_label(label_text)
            code = self.catalog.item_code(label)
            metric = None if code else self.catalog.derived_code(label)
            total = not code and not metric and bool(TOTAL_RE.search(label_text))
            self._labels[raw_label] = (label_text, label, code, metric, total)
        return self._labels[raw_label]

    def long_row(self, r: int, row: list, by_role) -> None:
        if self._long_columns is None:
            self._long_columns = tuple((by_role.get(role) or [None])[0]
                                       for role in ("item", "amount", "line_name", "note", "line_code"))
        item_column, amount_column, name_column, note_column, code_column = self._long_columns
        if item_column is not None:
            label_text, label, code, metric, total = self._long_label(row[item_column.index])
            if total:
                return  # a 合计/小计 row of the file's own
        else:
            label_text, label, code, metric = "", "", None, None
        value = row[amount_column.index]
        if value == "" or value is None or (isinstance(value, str) and not value.strip()):
            return  # blank amount: no entry
        village, year = self.place(r, row, by_role)
        if village is None:
            return
        if code_column is not None and clean_text(row[code_column.index]):
            found = self.by_line_code(r, code_column, row[code_column.index], year, label_text, code or metric)
            if found is None:
                self.parsed.unreadable.add((village.pk, year))  # its totals would only repeat the problem
                return
            if found == "appendix":
                self.parsed.appendix_rows += 1
                return
            kind, what = found
            code, metric = (what, None) if kind == "item" else (None, what)
            if not label_text:
                system_id = self.catalog.system_for(year).id
                label_text = (self.catalog.items[(system_id, code)].name if code
                              else self.catalog.metric_name(metric, system_id))
        unit = amount_column.unit or self.unit
        if metric:
            self.stated(r, amount_column, village, year, metric, value, unit)
            return
        if not code:
            if not label:
                reason = "缺少科目（或代码）"
            elif label in IGNORED_WORDS or label in NON_LINE_WORDS:
                reason = "不是收益分配表的一行，金额无法导入：请填写具体科目"
            else:
                reason = "不是会计制度中的科目"
            self.problem(r, item_column, label_text, reason)
            return
        item = self.item(r, item_column or code_column, code, label_text, year)
        if item is None:
            return
        ok, amount = self.read_amount(r, amount_column, value, unit, item)
        if not ok:
            self.parsed.unreadable.add((village.pk, year))
        if not ok or amount is None:
            return
        name = self.free_text(r, name_column, self.cell(row, name_column), LINE_NAME_MAX)
        note = self.free_text(r, note_column, self.cell(row, note_column), NOTE_MAX)
        if name is None or note is None:
            self.parsed.unreadable.add((village.pk, year))
            return
        self.add_line(r, amount_column, village, year, item, name, amount, note)

    def by_line_code(self, r: int, column: Column, value, year: int, label: str, named: str | None):
        """What a line's 代码 stands for in `year`'s system: ("item", code), ("derived", metric),
        "appendix" (附报 22–28), or None with a problem (an unknown 代码, or one that names another
        line than the 科目 beside it)."""
        number = _line_code_of(value)
        system = self.catalog.system_for(year)
        found = self.catalog.by_line_code.get((system.id, number)) if number is not None else None
        if found is None:
            if number is not None and system.code == "2004" and number > 21:
                return "appendix"
            self.problem(r, column, value, f"代码“{clean_text(value)}”不是{year} 年适用的{system}收益分配表中的行次")
            return None
        if named is not None and named != found[1]:
            self.problem(r, column, value, f"代码 {number} 与科目“{label}”不是同一行")
            return None
        return found

    def stated(self, r: int, column: Column, village: Village, year: int, metric: str, value, unit: str) -> None:
        text = clean_text(value)
        if not text:
            return
        try:
            # 经营收益、本年收益 may be losses; a total is bounded as a figure, not as a line.
            amount = cell_amount(value, unit, allow_negative=True, limit=MAX_FIGURE)
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
    """Every derived figure the file states (经营收益, 本年收益/收益总额, 净收益, 可分配收益, 各项分配,
    年末未分配收益, 总收入 …) against the same figure computed from the file's lines."""
    figures: dict[tuple[int, int], dict[str, Decimal]] = {}
    for key, metric, stated, tolerance, where in derived:
        if key in parsed.unreadable:
            continue  # the bad amount is already reported; a total built without it would be noise
        if key not in figures:
            lines = parsed.statements.get(key, {})
            figures[key] = figures_for((line.item_id, line.amount) for line in lines.values())
        computed = figures[key][metric]
        if abs(computed - stated) > tolerance:
            system = catalog.system_for(key[1])
            name = catalog.metric_name(metric, system.pk if system else None)
            where.reason = (f"{name}与各科目不符：按科目计算为 {computed.quantize(Decimal('0.01'), ROUND_HALF_UP):,} 元，"
                            f"表中为 {stated:,} 元")
            parsed.add(where)


def _check_parts(parsed: ParsedFile, origins: dict, catalog: Catalog) -> None:
    """A 其中 line (干部报酬) is part of its line (管理费用) and cannot be larger: named at its row."""
    parts = {item.pk: item for item in catalog.items.values() if item.part_of_id}
    if not parts:
        return
    names = {item.pk: item.name for item in catalog.items.values()}
    for key in parsed.with_parts:
        lines = parsed.statements[key]
        totals: dict[int, Decimal] = {}
        for line in lines.values():
            totals[line.item_id] = totals.get(line.item_id, Decimal(0)) + line.amount
        for item_id, amount in totals.items():
            item = parts.get(item_id)
            if item is None or amount <= totals.get(item.part_of_id, Decimal(0)):
                continue
            line_key = next(k for k in lines if k[0] == item_id)
            _, sheet_name, row_number = origins[(key, line_key)]
            village = parsed.villages[key[0]]
            parsed.add(Problem(sheet_name, row_number, "", f"{amount:,}",
                               f"{village.name} {key[1]} 年{item.name}（{amount:,} 元）不能大于"
                               f"{names[item.part_of_id]}（{totals.get(item.part_of_id, Decimal(0)):,} 元）"))
