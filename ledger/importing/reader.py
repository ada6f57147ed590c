"""Bytes → sheets of cells. Refuses what is not a spreadsheet, is too big, or would blow up when opened."""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

from .problems import FileRejected, Problem

XLSX, XLS, ODS, CSV = "xlsx", "xls", "ods", "csv"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (BIFF in an OLE2 container)
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_MEMBERS = 2000
MAX_COMPRESSION_RATIO = 200  # real xlsx sheets compress 5–30×; a zip bomb compresses thousands×


@dataclass
class Sheet:
    name: str
    rows: list[list]  # cell values as calamine/csv give them: str, int, float, bool, date or ""


def sniff_format(data: bytes) -> str:
    """The real format from the first bytes, whatever the file name says."""
    if data.startswith(OLE_MAGIC):
        return XLS
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return XLSX
                if "mimetype" in names and b"spreadsheet" in archive.read("mimetype"):
                    return ODS
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise FileRejected("文件已损坏或不完整（压缩包无法打开），请重新从 Excel/WPS 另存后上传。") from exc
        raise FileRejected("这是一个压缩包，但不是 Excel 工作簿（.xlsx）或 .ods 表格。")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected("无法识别的文件格式：请上传 .xlsx、.xls、.ods 或 .csv 表格。")
    return CSV


def read_sheets(data: bytes) -> tuple[str, list[Sheet]]:
    """Read every sheet of the file. Raises FileRejected with a Chinese message for unreadable files."""
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise FileRejected(f"文件超过 {settings.IMPORT_MAX_UPLOAD_MB} MB 的上限，请按乡镇或年度拆分后再导入。")
    if not data:
        raise FileRejected("文件是空的。")
    file_format = sniff_format(data)
    if file_format == CSV:
        sheets = [Sheet("CSV", _read_csv(data))]
    else:
        if file_format in (XLSX, ODS):
            _check_zip(data)
        if file_format == XLSX:
            _check_formulas(data)
        sheets = _read_workbook(data)
    max_rows = settings.IMPORT_MAX_ROWS
    total = sum(len(sheet.rows) for sheet in sheets)
    if total > max_rows:
        raise FileRejected(f"文件共有 {total} 行，超过单次导入 {max_rows} 行的上限，请拆分后再导入。")
    return file_format, sheets


def _check_zip(data: bytes) -> None:
    """Refuse zip bombs before any parser inflates them: count, total size and ratio of the members."""
    limit = settings.IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise FileRejected("文件已损坏或不完整（压缩包无法打开），请重新从 Excel/WPS 另存后上传。") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRejected("文件内部结构异常（包含的部件过多），拒绝打开。")
    total = sum(member.file_size for member in members)
    if total > limit:
        raise FileRejected(f"文件解压后超过 {settings.IMPORT_MAX_UNCOMPRESSED_MB} MB，疑似压缩炸弹，拒绝打开。")
    for member in members:
        if member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise FileRejected("文件压缩比异常（疑似压缩炸弹），拒绝打开。")


_SHEET_RE = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"')
_REL_RE = re.compile(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"|'
                     rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')
# A cell with a formula and no cached value: <c r="B4"><f>B2*2</f></c> or <f/>…<v></v>.
_FORMULA_NO_VALUE_RE = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>\s*<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)


def _check_formulas(data: bytes) -> None:
    """Formulas saved without their results (written by scripts, never opened in Excel) read as blanks:
    refuse them rather than import a blank where the sheet shows a number."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        sheet_paths = {}
        try:
            rels = archive.read("xl/_rels/workbook.xml.rels")
            targets = {}
            for match in _REL_RE.finditer(rels):
                rel_id, target = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
                target = target.decode().lstrip("/")
                targets[rel_id] = target if target.startswith("xl/") else f"xl/{target}"
            for match in _SHEET_RE.finditer(archive.read("xl/workbook.xml")):
                sheet_paths[targets.get(match.group(2), "")] = match.group(1).decode()
        except KeyError:
            pass
        problems = []
        for path in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            xml = archive.read(path)
            if b"<f" not in xml:
                continue
            for match in _FORMULA_NO_VALUE_RE.finditer(xml):
                ref = match.group(1).decode()
                column = ref.rstrip("0123456789")
                problems.append(Problem(sheet=sheet_paths.get(path, path), row=int(ref[len(column):]), column=column,
                                        value="（公式）", reason="公式没有保存计算结果，请在 Excel/WPS 中打开并保存后再导入"))
                if len(problems) >= 200:
                    break
    if problems:
        raise FileRejected("文件中有公式没有保存计算结果。", problems)


def _read_workbook(data: bytes) -> list[Sheet]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index, meta in enumerate(workbook.sheets_metadata):
            # Chart sheets have no cells; hidden sheets hold drop-down lists, not ledgers.
            if (meta.typ != python_calamine.SheetTypeEnum.WorkSheet
                    or meta.visible != python_calamine.SheetVisibleEnum.Visible):
                continue
            sheet = workbook.get_sheet_by_index(index)
            rows = sheet.to_python(skip_empty_area=False)
            _fill_merged(rows, sheet.merged_cell_ranges)
            sheets.append(Sheet(meta.name, rows))
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own errors, ValueError and others for bad files
        raise FileRejected(f"文件已损坏、不完整或加密，无法读取（{type(exc).__name__}）。") from exc
    return sheets


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


def _read_csv(data: bytes) -> list[list]:
    text = decode_text(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030 (a superset
    of the GBK that Excel on Chinese Windows writes)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileRejected("无法识别文件的文字编码（支持 UTF-8 和 GBK/GB18030），请用 Excel 另存为 CSV 或 xlsx。") from exc
