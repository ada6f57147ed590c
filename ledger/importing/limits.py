"""How much of a file the reader will take on, checked while reading and before anything is built.

IMPORT_MAX_UPLOAD_MB, IMPORT_MAX_UNCOMPRESSED_MB and IMPORT_MAX_ROWS are settings; these follow from
what a town ledger is (a few hundred villages, a few dozen columns, at most some 10⁵ lines) and from
the memory one reading may use (README, "Hostile files").
"""

MAX_COLUMNS = 200  # a wide table has ~40 (村名, 代码, the items, the totals)
MAX_CELLS = 3_000_000  # 300,000 long-layout lines × 10 columns; about 270 MB inside the reading child
MAX_ZIP_MEMBERS = 2000
MAX_COMPRESSION_RATIO = 200  # real xlsx sheets compress 5–30×; a zip bomb compresses thousands×
CHILD_MEMORY_MB = 640  # address space of the process that runs python-calamine
CHILD_TIMEOUT_S = 180
MAX_HTML_CELLS = MAX_CELLS
