"""Files that lie about their size, reach far-away cells or hide zip bombs are refused in Chinese, with a
bounded memory, and never take the process that reads them down (issue #12, items 1–2). The files
are built by tests/hostile_files.py; bench/hostile_files_bench.py prints the full-size figures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger.importing import reader
from ledger.importing.reader import FileRejected, read_sheets
from ledger.models import ImportBatch

from . import hostile_files

ROOT = Path(__file__).resolve().parent.parent
# Reads one file in a fresh process and reports its outcome and peak memory (its own and its children's).
MEASURE = """
import json, os, resource, sys
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django
django.setup()
from ledger.importing.reader import FileRejected, read_sheets


def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the process that started this one.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


data = open(sys.argv[1], "rb").read()
try:
    file_format, sheets = read_sheets(data)
    outcome = "read " + file_format
except FileRejected as exc:
    outcome = "refused: " + exc.message
del data
# child_mb is an upper bound of the calamine child's peak: its ru_maxrss starts from this process's RSS.
print(json.dumps({"outcome": outcome,
                  "self_mb": peak_mb(),
                  "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measure(tmp_path, data: bytes, **env) -> dict:
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **env}, check=False)
    assert done.returncode == 0, f"the reading process died ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("build, bound_mb, outcome", [
    (hostile_files.far_cell_xlsx, 250, "XFD1048576"),  # 549 GB asked, process aborted
    (lambda: hostile_files.far_cell_xlsx("A1048576"), 250, "超过单次导入 300000 行的上限"),
    (lambda: hostile_files.far_cell_xlsx("CV100000"), 250, "单元格"),  # 10 M cells: 309 MB
    (lambda: hostile_files.far_cell_xlsx("GR300000"), 250, "单元格"),  # 60 M cells
    (hostile_files.lying_dimension_xlsx, 250, "read xlsx"),
    (lambda: hostile_files.lying_zip_xlsx(real_mb=300), 250, "文件已损坏"),  # headers claim 1 KB
    (hostile_files.far_cell_ods, 250, "XFD"),
    (hostile_files.far_cell_xls, 250, "文件过大或已损坏"),  # 16.7 M cells in BIFF8
    (lambda: hostile_files.blank_lines_csv(mb=19), 600, "300000 行的上限"),  # 1.5 GB before
], ids=["xlsx-far-cell", "xlsx-far-row", "xlsx-wide-and-long", "xlsx-widest-and-longest", "xlsx-lying-dimension", "xlsx-lying-zip-headers",
        "ods-repeated-cells", "xls-far-cell", "csv-blank-lines"])
def test_hostile_file_is_refused_with_bounded_memory_and_the_reader_survives(tmp_path, build, bound_mb, outcome):
    data = build()
    report = measure(tmp_path, data)
    assert outcome in report["outcome"], report
    assert report["self_mb"] <= bound_mb, report
    assert report["child_mb"] <= bound_mb, report


@pytest.mark.parametrize("build, reason", [
    (hostile_files.truncated_xlsx, "文件已损坏或不完整"),
    (hostile_files.corrupted_member_xlsx, "文件已损坏或不完整"),
    (hostile_files.zip_of_zips, "不是 Excel 工作簿"),
    (hostile_files.sheet_is_a_zip_xlsx, "文件已损坏"),
    (lambda: hostile_files.bomb_xlsx(real_mb=350), "压缩"),
    (lambda: hostile_files.wide_csv(100_000), "超过 200 列的上限"),
], ids=["truncated", "crc-mismatch", "zip-of-zips", "sheet-is-a-zip", "zip-bomb", "csv-far-column"])
def test_corrupt_and_bomb_files_get_a_chinese_refusal(db, build, reason):
    with pytest.raises(FileRejected) as refused:
        read_sheets(build())
    assert reason in refused.value.message


def test_csv_padded_with_empty_fields_far_right_is_still_read(db):
    _, [sheet] = read_sheets(hostile_files.wide_csv(100_000, value_at_end=False))
    assert sheet.rows[1] == ["长胜村", "2023", "100"]


@pytest.mark.parametrize("rows, message, cell", [
    (1500, "文件共有 1500 行，超过单次导入 1000 行的上限", "B1500"),  # counted, and where the last content is
    (150_000, "文件超过 101000 行，超过单次导入 1000 行的上限", "B101001"),  # far past: reading stops there
])
def test_rows_over_the_limit_are_refused_before_the_workbook_is_built(db, settings, monkeypatch, rows, message,
                                                                       cell):
    """The zip check refuses while the child is still reading: the child's workbook is never taken
    and the child is ended, not left running."""
    from ledger.importing import sandbox

    children = []

    class Watched(sandbox.WorkbookRead):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            children.append(self)

        def result(self):
            raise AssertionError("the workbook was built")

    monkeypatch.setattr(reader, "WorkbookRead", Watched)
    settings.IMPORT_MAX_ROWS = 1000
    with pytest.raises(FileRejected) as refused:
        read_sheets(hostile_files.many_rows_xlsx(rows))
    assert message in refused.value.message
    assert cell in refused.value.message
    [child] = children
    assert child._process.returncode is not None  # ended and waited for


def test_a_child_still_reading_is_ended_when_the_parent_gives_up(db):
    from ledger.importing import sandbox

    reading = sandbox.WorkbookRead(hostile_files.lying_dimension_xlsx(), max_rows=1000)
    reading.close()
    assert reading._process.returncode is not None


def test_a_crash_of_the_reading_child_becomes_a_refusal(db, monkeypatch):
    from ledger.importing import sandbox

    monkeypatch.setattr(sandbox, "CHILD", Path(__file__).with_name("no_such_child.py"))
    with pytest.raises(FileRejected) as refused:
        read_sheets(hostile_files.lying_dimension_xlsx())
    assert "文件过大或已损坏" in refused.value.message


def test_far_cell_upload_through_the_page_ends_invalid_with_the_reason(client, people, world):
    client.force_login(people["dave"])
    response = client.post(reverse("ledger:import_upload"),
                           {"file": SimpleUploadedFile("八桥镇2023.xlsx", hostile_files.far_cell_xlsx())}, follow=True)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.INVALID
    assert "XFD1048576" in response.content.decode()
