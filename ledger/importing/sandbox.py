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
import os
import pickle
import subprocess
import sys
import tempfile
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


class WorkbookRead:
    """A child reading a workbook, started as soon as this is made, so that the parent can check the
    file's zip meanwhile (`ledger.importing.zipscan`, a third of a large file's reading time) on the
    other core. `result()` waits for the child's answer; leaving the `with` block without it (the
    parent's own check refused the file) ends the child at once."""

    def __init__(self, data: bytes, *, max_rows: int):
        self._size = len(data)
        command = [sys.executable, "-I", str(CHILD), str(child_memory_mb(len(data))), str(max_rows),
                   str(MAX_COLUMNS), str(MAX_CELLS)]
        # The file reaches the child from memory, not through a pipe this process would have to feed
        # while it is busy with its own check (the child would wait for every 64 KB).
        self._input = _in_memory_file(data)
        self._process = subprocess.Popen(command, stdin=self._input, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE)

    def __enter__(self) -> "WorkbookRead":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """End the child if it is still reading, and wait for it."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()
        self._input.close()

    def result(self) -> list[tuple[str, list[list]]]:
        """Every visible worksheet as (name, rows). Raises FileRejected for anything the child refuses,
        for a child ended by its memory limit or a crash, and for one that runs out of time."""
        try:
            stdout, stderr = self._process.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            logger.warning("workbook reader ran out of time (%s s) on a %s-byte file", CHILD_TIMEOUT_S, self._size)
            self.close()
            raise FileRejected(TOO_BIG) from exc
        if self._process.returncode != 0 or not stdout:
            # Killed by its memory limit (Rust aborts: -6) or crashed: the file is refused, nothing else happens.
            logger.warning("workbook reader ended with %s on a %s-byte file: %s", self._process.returncode,
                           self._size, stderr[:300].decode("utf-8", "replace"))
            raise FileRejected(TOO_BIG)
        try:
            status, result = _CellUnpickler(io.BytesIO(stdout)).load()
        except Exception as exc:  # a child that did not finish its answer
            raise FileRejected(TOO_BIG) from exc
        if status != "ok":
            raise FileRejected(str(result))
        return result


def _in_memory_file(data: bytes):
    """`data` as a file with a descriptor a child can read from its start: in memory where the system
    allows (Linux), else a temporary file."""
    if hasattr(os, "memfd_create"):
        handle = os.fdopen(os.memfd_create("workbook", os.MFD_CLOEXEC), "w+b")
    else:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by WorkbookRead.close
    handle.write(data)
    handle.flush()
    handle.seek(0)
    return handle
