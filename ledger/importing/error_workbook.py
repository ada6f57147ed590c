"""The problems of a rejected file, as the file itself: every bad cell filled and commented, to send
back to the town that made it.

An xlsx of ordinary size is opened as it is (openpyxl) and given back with its own layout, formulas and
styles, the bad cells marked, and a sheet 问题清单 listing every problem. Larger xlsx files and csv/xls/
ods are read again as the import read them (`reader.read_sheets`, in its memory-capped child) and
written out, sheet by sheet and row by row, as a new xlsx (write-only: a row at a time), marked the
same way. Either way memory stays bounded: the file passed the reader's limits when it was checked.
"""

import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter

from ..spreadsheets import neutralize, sheet_title
from .problems import FileRejected, Problem
from .reader import read_sheets
from .sheets import XLSX

logger = logging.getLogger(__name__)

AUTHOR = "村级集体经济台账系统"
LIST_SHEET = "问题清单"
# xlsx files up to this size are marked in place (openpyxl holds the whole workbook: ~1 KB a cell).
IN_PLACE_MAX_BYTES = 1 << 20
BAD_CELL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red
BAD_ROW = PatternFill("solid", fgColor="FFEB9C")  # a problem of the whole row: its first cell, amber
_LETTERS_RE = re.compile(r"^([A-Z]{1,3})(?![A-Za-z])")
_CELL_TYPES = (str, int, float, bool, date, datetime, time, timedelta)


class NothingToMark(Exception):
    """The file's problems name no cell (it could not be read as a table at all)."""


def problem_cells(problems: Iterable[Problem]) -> dict[str, dict[tuple[int, int], list[Problem]]]:
    """sheet → (row, column number; 0 = the whole row) → its problems."""
    cells: dict[str, dict[tuple[int, int], list[Problem]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        if not problem.row:
            continue
        match = _LETTERS_RE.match(problem.column or "")
        column = column_index_from_string(match.group(1)) if match else 0
        cells[problem.sheet][(problem.row, column)].append(problem)
    return cells


def has_marks(problems: Iterable[Problem]) -> bool:
    return any(problem.row for problem in problems)


def _comment(problems: list[Problem]) -> Comment:
    text = "\n".join(f"{'“' + p.value + '”：' if p.value else ''}{p.reason}" for p in problems)[:30000]
    comment = Comment(text, AUTHOR)
    comment.width, comment.height = 320, min(60 + 40 * len(problems), 400)
    return comment


def error_workbook(*, data: bytes, file_format: str, problems: list[Problem]) -> bytes:
    """The uploaded file with its bad cells marked, as xlsx bytes. Raises NothingToMark when no
    problem names a row, FileRejected when the file cannot be read again."""
    if not has_marks(problems):
        raise NothingToMark
    if file_format == XLSX and len(data) <= IN_PLACE_MAX_BYTES:
        try:
            return _marked_in_place(data, problems)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
            # openpyxl is stricter than the reader about some files WPS writes: copy it instead.
            logger.info("error workbook: openpyxl could not open the file (%s), copying its cells", exc)
    return _marked_copy(data, problems)


def _marked_in_place(data: bytes, problems: list[Problem]) -> bytes:
    workbook = load_workbook(io.BytesIO(data), rich_text=False, keep_links=False)
    cells = problem_cells(problems)
    for sheet_name, marks in cells.items():
        if sheet_name not in workbook.sheetnames:
            continue
        sheet = workbook[sheet_name]
        starts = {}
        for merged in sheet.merged_cells.ranges:  # a merged block is marked on its first cell
            for row, column in merged.cells:
                starts[(row, column)] = (merged.min_row, merged.min_col)
        for (row, column), found in marks.items():
            row, column = starts.get((row, column or 1), (row, column or 1))
            cell = sheet.cell(row=row, column=column)
            cell.fill = BAD_CELL if column and any(_LETTERS_RE.match(p.column or "") for p in found) else BAD_ROW
            cell.comment = _comment(found)
    _problem_list(workbook.create_sheet(LIST_SHEET), problems, write_only=False)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _marked_copy(data: bytes, problems: list[Problem]) -> bytes:
    _format, sheets = read_sheets(data)
    cells = problem_cells(problems)
    workbook = Workbook(write_only=True)
    for read in sheets:
        sheet = workbook.create_sheet(sheet_title(read.name))
        marks = cells.get(read.name, {})
        width = max((len(row) for row in read.rows[:200]), default=0)
        for index in range(1, width + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 14
        by_row: dict[int, dict[int, list[Problem]]] = defaultdict(dict)
        for (row, column), found in marks.items():
            by_row[row][column or 1] = found
        for number, row in enumerate(read.rows, start=1):
            marked = by_row.get(number)
            values = [_cell_value(value) for value in row]
            if marked:
                values += [None] * (max(marked) - len(values))
                for column, found in marked.items():
                    cell = WriteOnlyCell(sheet, value=values[column - 1])
                    whole_row = not any(_LETTERS_RE.match(p.column or "") for p in found)
                    cell.fill = BAD_ROW if whole_row else BAD_CELL
                    cell.comment = _comment(found)
                    values[column - 1] = cell
            sheet.append(values)
        read.rows = []  # let the sheet's cells go before the next one is written
    _problem_list(workbook.create_sheet(LIST_SHEET), problems, write_only=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_value(value):
    if value == "" or value is None:
        return None
    if not isinstance(value, _CELL_TYPES):
        value = str(value)
    return neutralize(value)


def _problem_list(sheet, problems: list[Problem], *, write_only: bool) -> None:
    headers = ["工作表", "行", "列", "内容", "问题"]
    widths = (16, 8, 18, 24, 80)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    if write_only:
        bold = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
    else:
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    for problem in problems:
        sheet.append([neutralize(problem.sheet), problem.row, neutralize(problem.column), neutralize(problem.value),
                      neutralize(problem.reason)])


__all__ = ["FileRejected", "NothingToMark", "error_workbook", "has_marks", "problem_cells"]
