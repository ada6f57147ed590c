"""The part of reading a workbook that runs in a child process (see `ledger.importing.sandbox`).

python-calamine is native code: a file that makes it allocate without bound aborts the whole process
(Rust's out-of-memory handler calls abort(), which no `except` catches). So it runs here, in a process
of its own whose address space is capped before the file is read; the worst a file can do is end this
process, which the parent turns into a refusal.

Run as a script with the standard library and python-calamine only (no Django, no project code):

    python -I workbook_child.py MEMORY_MB MAX_ROWS MAX_COLUMNS MAX_CELLS  < file  > pickle

It writes one pickle to stdout: ("ok", [(sheet name, rows), …]) or ("refused", message).
"""

import io
import pickle
import resource
import sys


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _fill_merged(rows: list[list], ranges) -> None:
    """A merged block shows one value across its cells; give every cell that value (headers, 乡镇 columns)."""
    for (top, left), (bottom, right) in ranges or ():
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                if row[c] in ("", None):
                    row[c] = value


def _share_repeated_text(rows: list[list]) -> None:
    """One str object per distinct text (a ledger repeats its towns, villages and 科目 on every row): the
    pickle then sends each text once and refers back to it, and the parent builds it once and hashes
    it once for all its lookups."""
    seen: dict[str, str] = {}
    share = seen.setdefault
    for row in rows:
        for index, cell in enumerate(row):
            if type(cell) is str and cell:
                row[index] = share(cell, cell)


def read(data: bytes, *, max_rows: int, max_columns: int, max_cells: int):
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors, ValueError and others for bad files
        return "refused", f"文件已损坏、不完整或加密，无法读取（{type(exc).__name__}）。"
    del data
    sheets = []
    cells = 0
    for index, meta in enumerate(workbook.sheets_metadata):
        # Chart sheets have no cells; hidden sheets hold drop-down lists, not ledgers.
        if (meta.typ != python_calamine.SheetTypeEnum.WorkSheet
                or meta.visible != python_calamine.SheetVisibleEnum.Visible):
            continue
        try:
            sheet = workbook.get_sheet_by_index(index)
        except Exception as exc:
            return "refused", f"文件已损坏、不完整或加密，无法读取（{type(exc).__name__}）。"
        # to_python pads from A1, so the extent counted is from A1 to the last cell.
        end = sheet.end  # (last row, last column), 0-based; None for an empty sheet
        height, width = (end[0] + 1, end[1] + 1) if end else (0, 0)
        if height > max_rows:
            return "refused", (f"工作表“{meta.name}”有 {height} 行，超过单次导入 {max_rows} 行的上限，"
                               "请删除表格下方多余的行或拆分后再导入。")
        if width > max_columns:
            return "refused", (f"工作表“{meta.name}”有 {width} 列，超过 {max_columns} 列的上限，"
                               "请删除表格右侧多余的列后再导入。")
        cells += height * width
        if cells > max_cells:
            return "refused", f"文件的单元格过多（超过 {max_cells:,} 个），请按乡镇或年度拆分后再导入。"
        rows = sheet.to_python(skip_empty_area=False)
        _fill_merged(rows, sheet.merged_cell_ranges)
        _share_repeated_text(rows)
        sheets.append((meta.name, rows))
        del sheet
    return "ok", sheets


def main(argv: list[str]) -> int:
    memory_mb, max_rows, max_columns, max_cells = (int(value) for value in argv[1:5])
    _limit_memory(memory_mb)
    data = sys.stdin.buffer.read()
    try:
        result = read(data, max_rows=max_rows, max_columns=max_columns, max_cells=max_cells)
    except MemoryError:
        result = "refused", "文件过大或已损坏，读取时超出内存上限，请检查文件或拆分后再导入。"
    del data
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
