"""How much of a file the reader will take on, checked while reading and before anything is built.

IMPORT_MAX_UPLOAD_MB, IMPORT_MAX_UNCOMPRESSED_MB and IMPORT_MAX_ROWS are settings; these follow from
what a town ledger is (a few hundred villages, a few dozen columns, at most some 10⁵ lines) and from
the memory one reading may use (README, "Hostile files").
"""

MAX_COLUMNS = 200  # a wide table has ~40 (村名, 代码, the items, the totals)
MAX_CELLS = 3_000_000  # 300,000 long-layout lines × 10 columns; about 270 MB inside the reading child
MAX_ZIP_MEMBERS = 2000
MAX_COMPRESSION_RATIO = 200  # real xlsx sheets compress 5–30×; a zip bomb compresses thousands×
# Address space of the process that runs python-calamine: enough for the cells a file of that size can
# really hold (a 1 MB xlsx holds at most some 500,000 cells, ~80 MB once read), never more than the top.
CHILD_MEMORY_BASE_MB = 200
CHILD_MEMORY_PER_FILE_MB = 25
CHILD_MEMORY_MB = 640


def child_memory_mb(file_size: int) -> int:
    return min(CHILD_MEMORY_MB, CHILD_MEMORY_BASE_MB + CHILD_MEMORY_PER_FILE_MB * (file_size >> 20))
CHILD_TIMEOUT_S = 180
