"""Writing xlsx files people open in Excel/WPS: a title row with unit and 制表时间, Chinese headers frozen in
view, sized columns, amounts as `#,##0.00` numbers, no formula injection. Every xlsx export goes through
`xlsx_bytes` (the ledgers, the dashboards' tables)."""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from itertools import chain, islice
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .text import strip_controls

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """Text as a cell may hold it: control characters (which openpyxl refuses, failing the whole file)
    stripped first, then text that Excel would run as a formula (=cmd|… , +1+1, @SUM) prefixed with a
    quote. Every text cell of every export goes through here."""
    if isinstance(value, str):
        value = strip_controls(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def sheet_title(name: str) -> str:
    """A sheet name Excel accepts: no control characters or \\ / ? * [ ] :, at most 31 characters."""
    return "".join(" " if ch in "\\/?*[]:" else ch for ch in strip_controls(name))[:31].strip() or "Sheet"


def restore_neutralized(text: str) -> str:
    """`neutralize` undone, for files coming back in: our own export of a 项目 named "+1+1" holds
    "'+1+1", and importing it again must store "+1+1", not a new line with a quote in its name."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


MONEY_FORMAT = "#,##0.00"
# Rows read ahead to size the columns (a write-only sheet states its widths before its first row).
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
_TITLE_FONT = Font(bold=True, size=13)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


def title_line(title: str, *, unit: str = "", made_at: datetime | None = None) -> str:
    """The first row of every export: what it is (scope, year), the unit of its amounts and when it
    was made (制表时间), so a printed or forwarded sheet still says so."""
    made_at = timezone.localtime(made_at) if made_at else timezone.localtime()
    parts = [title] if title else []
    if unit:
        parts.append(f"单位：{unit}")
    parts.append(f"制表时间：{made_at:%Y-%m-%d %H:%M}")
    return "　".join(parts)


def _text_width(value) -> int:
    if value is None:
        return 0
    text = f"{value:,.2f}" if isinstance(value, Decimal | float) else str(value)
    # CJK characters take two columns of Excel's width unit.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text[:MAX_WIDTH])


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], *, title: str = "",
               unit: str = "", made_at: datetime | None = None) -> bytes:
    """One workbook from (sheet name, headers, rows), as every export here writes it: a title row
    (`title_line`: scope and year as the caller says, the unit, 制表时间), a bold header row frozen in
    view, columns as wide as their contents, amounts (Decimal) as numbers shown `#,##0.00`; text
    neutralised (`neutralize`). Streams: a write-only workbook, rows read once."""
    workbook = Workbook(write_only=True)
    heading = title_line(title, unit=unit, made_at=made_at) if title or unit else ""
    for sheet_name, headers, rows in sheets:
        sheet = workbook.create_sheet(title=sheet_title(sheet_name))
        rows = iter(rows)
        sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
        widths = [_text_width(h) + 2 for h in headers]
        for row in sample:
            for index, value in enumerate(row):
                if index < len(widths):
                    widths[index] = max(widths[index], _text_width(value) + 2)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(MIN_WIDTH, width), MAX_WIDTH)
        sheet.freeze_panes = "A3" if heading else "A2"
        if heading:
            cell = WriteOnlyCell(sheet, value=neutralize(heading))
            cell.font = _TITLE_FONT
            sheet.append([cell])
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=neutralize(header))
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in chain(sample, rows):
            sheet.append([_cell(sheet, value) for value in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value):
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, int) or value is None:
        return value
    return neutralize(str(value))


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An xlsx download called `filename`. The header carries the name twice (RFC 6266): an ASCII
    `filename="…"` for old clients, and the real name, Chinese included, as RFC 5987's
    `filename*=UTF-8''…` (percent-encoded UTF-8), which every current browser prefers."""
    stem = filename[:-5] if filename.lower().endswith(".xlsx") else filename
    fallback = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    fallback = (re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("._-") or "export") + ".xlsx"
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f'attachment; filename="{fallback}"; '
                                       f"filename*=UTF-8''{quote(filename, safe='')}")
    return response

