"""Reading the ledgers towns send (xlsx/xls/ods/csv, wide or long, with their mess) into statements.

`reader` turns bytes into sheets of cells, safely; `parser` finds headers, units, years, villages and
items and turns rows into one complete statement per village-year, collecting every problem; `planner`
compares those statements with the database. Writing is `ledger.services.import_batch_apply`.

django-import-export is not used here: its row-by-row `Resource.import_data` runs at a few hundred rows
per second (see bench/import_bench.py) and assumes one header row naming model fields, while town
ledgers are wide tables with titles, two-row headers and totals, and a file replaces whole
village-years rather than upserting rows.
"""
