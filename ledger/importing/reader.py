"""Bytes → sheets of cells. Refuses what is not a spreadsheet, is too big, or would blow up when opened.

The format comes from the bytes, never the name: xlsx/ods (a zip, looked inside by zipscan.py, whose
refusal ends the reading before anything reaches this process), xls (OLE2), a web page saved as .xls
(textfiles.read_html_tables), else delimited text (textfiles.read_delimited). Workbooks are then read by python-calamine in a child process with a
memory limit (sandbox.py), so no file can take the server down.
"""

import codecs
import io
import zipfile
from collections.abc import Callable

from django.conf import settings

from . import textfiles
from .problems import FileRejected
from .sandbox import WorkbookRead
from .sheets import CSV, HTML, ODS, XLS, XLSX, Sheet
from .zipscan import scan_workbook_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (BIFF in an OLE2 container)
ZIP_MAGIC = b"PK\x03\x04"


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
                if "mimetype" in names and b"spreadsheet" in archive.read("mimetype")[:200]:
                    return ODS
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
            raise FileRejected("文件已损坏或不完整（压缩包无法打开），请重新从 Excel/WPS 另存后上传。") from exc
        raise FileRejected("这是一个压缩包，但不是 Excel 工作簿（.xlsx）或 .ods 表格。")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected("无法识别的文件格式：请上传 .xlsx、.xls、.ods 或 .csv 表格。")
    return HTML if textfiles.looks_like_markup(data) else CSV


def read_sheets(data: bytes, *, meanwhile: Callable[[], None] = lambda: None) -> tuple[str, list[Sheet]]:
    """Read every sheet of the file. Raises FileRejected with a Chinese message for unreadable files.

    `meanwhile` is work of the caller's that does not need the sheets (what the parser will look
    things up in): it is done while the workbook child reads, or after a text file is read.

    Every size is checked while reading and before anything is built here (limits.py); workbooks are
    read in a child process with a memory limit (sandbox.py), started first so that it reads while
    the zip is checked."""
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if len(data) > limit:
        raise FileRejected(f"文件超过 {settings.IMPORT_MAX_UPLOAD_MB} MB 的上限，请按乡镇或年度拆分后再导入。")
    if not data:
        raise FileRejected("文件是空的。")
    file_format = sniff_format(data)
    max_rows = settings.IMPORT_MAX_ROWS
    if file_format == CSV:
        sheets = [textfiles.read_delimited(data, max_rows=max_rows)]
    elif file_format == HTML:
        sheets = textfiles.read_html_tables(data, max_rows=max_rows)
    else:
        # The child reads while the zip is checked here; a refusal of the check ends the child unheard.
        with WorkbookRead(data, max_rows=max_rows) as reading:
            if file_format in (XLSX, ODS):
                scan_workbook_zip(data, file_format)
            meanwhile()
            sheets = [Sheet(name, rows) for name, rows in reading.result()]
    if file_format in (CSV, HTML):
        meanwhile()
    total = sum(len(sheet.rows) for sheet in sheets)
    if total > max_rows:
        raise FileRejected(f"文件共有 {total} 行，超过单次导入 {max_rows} 行的上限，请拆分后再导入。")
    return file_format, sheets

