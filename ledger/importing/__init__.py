"""Reading the ledgers towns send (xlsx/xls/ods/csv, wide or long, with their mess) into statements.

`reader` turns bytes into sheets of cells, safely; `parser` finds headers, units, years, villages and
items and turns rows into one complete statement per village-year, collecting every problem; `planner`
compares those statements with the database; `services` keeps every batch from upload to undo and
writes through the bulk services of `ledger.services`. `problems`, `places` and `cells` hold what the
stages share: the problems found, the town and village matcher, a cell as text.

django-import-export is not used here: its row-by-row `Resource.import_data` runs at a few hundred rows
per second (see bench/import_bench.py) and assumes one header row naming model fields, while town
ledgers are wide tables with titles, two-row headers and totals, and a file replaces whole
village-years rather than upserting rows.
"""
