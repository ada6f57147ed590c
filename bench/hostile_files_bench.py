"""Peak memory of reading hostile files at full size (issue #12): each file is built by
tests/hostile_files.py, written to a temporary file and read by `read_sheets` in a fresh process, which
reports its outcome, its time and the peak RSS of itself and of the child that runs python-calamine.
The last line printed is one JSON object (file class → figures).

    .venv/bin/python bench/hostile_files_bench.py [--only NAME ...]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import hostile_files  # noqa: E402

MEASURE = """
import json, os, resource, sys, time
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
started = time.perf_counter()
try:
    file_format, sheets = read_sheets(data)
    outcome = f"read {file_format}: {sum(len(sheet.rows) for sheet in sheets)} rows"
except FileRejected as exc:
    outcome = "refused: " + exc.message
seconds = time.perf_counter() - started
# child_mb is an upper bound of the calamine child's peak: its ru_maxrss starts from this process's RSS.
print(json.dumps({"outcome": outcome, "read_s": round(seconds, 2),
                  "self_mb": round(peak_mb(), 1),
                  "child_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}))
"""


def largest_admissible_xlsx(rows: int = 299_999) -> bytes:
    """The biggest honest file the limits admit: a long-layout ledger of 300,000 rows × 7 columns."""
    def pieces():
        yield (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{hostile_files.MAIN_NS}"><sheetData>'
               '<row r="1">' + "".join(hostile_files._cell(f"{col}1", text) for col, text in
                                      zip("ABCDEFG", ["年度", "乡镇", "区划代码", "村", "科目", "项目", "金额(元)"],
                                          strict=True)) + "</row>").encode()
        for first in range(2, rows + 2, 10000):
            yield "".join(
                f'<row r="{n}">' + "".join(hostile_files._cell(f"{col}{n}", value) for col, value in zip(
                    "ABCDEFG", [2023, "八桥镇", f"321182103{200 + n % 199:03d}", f"{n % 199}村", "经营收入",
                                f"项目{n}", n * 1.5], strict=True)) + "</row>"
                for n in range(first, min(first + 10000, rows + 2))).encode()
        yield b"</sheetData></worksheet>"

    return hostile_files.xlsx_with_sheet(pieces())


CLASSES = {
    "xlsx_far_cell_XFD1048576": hostile_files.far_cell_xlsx,
    "xlsx_far_cell_CV100000": lambda: hostile_files.far_cell_xlsx("CV100000"),
    "xlsx_lying_dimension": hostile_files.lying_dimension_xlsx,
    "xlsx_lying_zip_headers_1GB": lambda: hostile_files.lying_zip_xlsx(real_mb=1000),
    "xlsx_zip_bomb_400MB": lambda: hostile_files.bomb_xlsx(real_mb=400),
    "xlsx_truncated": hostile_files.truncated_xlsx,
    "xlsx_2500000_rows": lambda: hostile_files.many_rows_xlsx(2_500_000),
    "ods_repeated_cells": hostile_files.far_cell_ods,
    "xls_far_cell": hostile_files.far_cell_xls,
    "csv_19MB_blank_lines": lambda: hostile_files.blank_lines_csv(mb=19),
    "csv_100000_columns": lambda: hostile_files.wide_csv(100_000),
    "xlsx_largest_admissible_300000_rows": largest_admissible_xlsx,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(CLASSES), help="measure only these classes")
    args = parser.parse_args()
    results = {}
    for name in args.only or CLASSES:
        started = time.perf_counter()
        data = CLASSES[name]()
        built = time.perf_counter() - started
        with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
            handle.write(data)
            handle.flush()
            done = subprocess.run([sys.executable, "-c", MEASURE, handle.name], cwd=ROOT, capture_output=True,
                                  text=True, timeout=900, check=False, env={**os.environ})
        if done.returncode != 0:
            result = {"outcome": f"reader died ({done.returncode})", "stderr": done.stderr[-500:]}
        else:
            result = json.loads(done.stdout.strip().splitlines()[-1])
        result = {"file_kb": len(data) // 1024, "build_s": round(built, 1), **result}
        results[name] = result
        print(f"{name:40} {json.dumps(result, ensure_ascii=False)}", flush=True)
        del data
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
