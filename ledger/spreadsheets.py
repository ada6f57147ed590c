"""Writing xlsx files people open in Excel/WPS: Chinese headers, units stated, no formula injection."""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
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


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], *, title: str = "") -> bytes:
    """One workbook from (sheet name, headers, rows). Decimals stay numbers; text is neutralised."""
    workbook = Workbook(write_only=True)
    for sheet_name, headers, rows in sheets:
        sheet = workbook.create_sheet(title=sheet_title(sheet_name))
        if title:
            sheet.append([neutralize(title)])
        sheet.append([neutralize(h) for h in headers])
        widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
        for row in rows:
            sheet.append([v if isinstance(v, (int, float, Decimal)) or v is None else neutralize(str(v))
                          for v in row])
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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

