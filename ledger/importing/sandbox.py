"""Workbooks (xlsx, xls, ods) are read by python-calamine in a child process with a memory limit, so
that no file, however it lies about itself, can take the web server or the import worker down.

A plain subprocess rather than multiprocessing: it works the same under runserver, gunicorn and a
daemonic task worker (which may not fork multiprocessing children), and the child imports nothing
of the project. Its answer is a pickle read back with an unpickler that accepts only the cell types
(str, numbers, bool, dates and times), so a child that read a hostile file cannot hand the parent
anything else.
"""

import io
import logging
import pickle
import subprocess
import sys
from pathlib import Path

from .limits import CHILD_TIMEOUT_S, MAX_CELLS, MAX_COLUMNS, child_memory_mb
from .problems import FileRejected

logger = logging.getLogger(__name__)
CHILD = Path(__file__).with_name("workbook_child.py")
TOO_BIG = "文件过大或已损坏，读取时超出内存或时间上限，无法导入。请检查文件，或按乡镇、年度拆分后再导入。"


class _CellUnpickler(pickle.Unpickler):
    ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"), ("datetime", "timedelta")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def read_workbook_isolated(data: bytes, *, max_rows: int) -> list[tuple[str, list[list]]]:
    """Every visible worksheet as (name, rows). Raises FileRejected for anything the child refuses,
    for a child ended by its memory limit or a crash, and for one that runs out of time."""

    command = [sys.executable, "-I", str(CHILD), str(child_memory_mb(len(data))), str(max_rows), str(MAX_COLUMNS),
               str(MAX_CELLS)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=CHILD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        logger.warning("workbook reader ran out of time (%s s) on a %s-byte file", CHILD_TIMEOUT_S, len(data))
        raise FileRejected(TOO_BIG) from exc
    if done.returncode != 0 or not done.stdout:
        # Killed by its memory limit (Rust aborts: -6) or crashed: the file is refused, nothing else happens.
        logger.warning("workbook reader ended with %s on a %s-byte file: %s", done.returncode, len(data),
                       done.stderr[:300].decode("utf-8", "replace"))
        raise FileRejected(TOO_BIG)
    try:
        status, result = _CellUnpickler(io.BytesIO(done.stdout)).load()
    except Exception as exc:  # a child that did not finish its answer
        raise FileRejected(TOO_BIG) from exc
    if status != "ok":
        raise FileRejected(str(result))
    return result
