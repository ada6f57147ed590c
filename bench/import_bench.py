"""Import speed on the configured database (DATABASE_URL; default SQLite).

Builds a 100,000-line long-layout xlsx for synthetic villages in a throw-away test database (whole
statements, both halves: every line of the 2004 system for 2021–2023 and of the 2023 system for
2024–2025, 其中：干部报酬 and investment and accumulated losses included), then
measures: reading the file with python-calamine (parse_s), the whole import end to end (import_s:
read, parse, validate, plan, write lines, history, figures, events; both the median of `--runs`
imports into empty tables), a stock django-import-export ModelResource import of a slice of the same
rows into the same table (stock_die_s, scaled to all rows), and the peak memory of the process. The
last line printed is one JSON object.

    .venv/bin/python bench/import_bench.py [--rows 100000] [--stock-rows 10000] [--runs 3]
"""

import argparse
import io
import json
import os
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from ledger.systems import SYSTEMS_BY_CODE, system_code_for_year  # noqa: E402

YEARS = [2021, 2022, 2023, 2024, 2025]
# Every line of each year's statement, in the form's order (the file names them as the form does).
ITEMS_BY_YEAR = {year: SYSTEMS_BY_CODE[system_code_for_year(year)]["items"] for year in YEARS}
LINES_PER_VILLAGE = sum(len(items) for items in ITEMS_BY_YEAR.values())


def villages_needed(rows: int) -> int:
    return -(-rows // LINES_PER_VILLAGE)


def line_amount(village_pk: int, index: int, year: int, item, admin_expense: Decimal) -> Decimal:
    """A plausible amount in 元: a loss on every seventh village's 投资收益 and 年初未分配收益, 干部报酬
    within 管理费用."""
    amount = Decimal(10000 + (village_pk * 7919 + index * 104729 + year) % 5_000_000) / 100
    if item.code == "cadre_pay":
        return (admin_expense * Decimal("0.4")).quantize(Decimal("0.01"))
    if item.may_be_negative and village_pk % 7 == 0:
        return -amount
    return amount


def build_world(villages_needed: int):
    from villages.models import County, Town, Village

    county = County.objects.create(code="321182000000", name="扬中市")
    villages = []
    town_number = 100
    while len(villages) < villages_needed:
        town = Town.objects.create(county=county, code=f"321182{town_number:03d}000", name=f"测试{town_number}镇")
        batch = [Village(town=town, code=f"{town.code[:9]}{n:03d}", name=f"{town_number}镇{n}村")
                 for n in range(200, 400)][: villages_needed - len(villages)]
        villages += Village.objects.bulk_create(batch)
        town_number += 1
    return villages


def build_file(villages, rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账明细")
    sheet.append(["村级集体经济台账明细（单位：元）"])
    sheet.append(["年度", "乡镇", "区划代码", "村", "科目", "项目", "金额(元)"])
    written = 0
    town_names = {}
    for village in villages:
        town_names.setdefault(village.town_id, village.town.name)
    for year in YEARS:
        for village in villages:
            admin_expense = Decimal(0)
            for index, item in enumerate(ITEMS_BY_YEAR[year]):
                if written >= rows:
                    break
                amount = line_amount(village.pk, index, year, item, admin_expense)
                if item.code == "admin_expense":
                    admin_expense = amount
                sheet.append([year, town_names[village.town_id], village.code, village.name, item.name, "",
                              float(amount)])
                written += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def empty_ledger_tables() -> None:
    """Remove what an import wrote (years, lines, their history and events, the batch), so that the
    next run imports into empty tables again."""
    from ledger.models import ImportBatch, LedgerLine, LedgerYear, LedgerYearEvent

    models = [LedgerYearEvent, LedgerLine.history.model, LedgerLine, LedgerYear.history.model, ImportBatch, LedgerYear]
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # and what refers to them (预警核实)
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def stock_import(rows: int) -> float:
    """django-import-export as it comes: a ModelResource over LedgerLine, rows with ids of the same data."""
    import tablib
    from import_export import resources

    from ledger.models import LedgerLine

    class LedgerLineResource(resources.ModelResource):
        class Meta:
            model = LedgerLine
            fields = ["id", "ledger_year", "item", "name", "amount", "note"]

    sample = list(LedgerLine.objects.order_by("pk").values_list("ledger_year_id", "item_id", "name", "amount")[:rows])
    # Same rows into the same table: remove them first so the stock import creates them again.
    LedgerLine.objects.filter(pk__in=LedgerLine.objects.order_by("pk").values("pk")[:rows]).delete()
    dataset = tablib.Dataset(headers=["id", "ledger_year", "item", "name", "amount", "note"])
    for ledger_year_id, item_id, name, amount in sample:
        dataset.append(["", ledger_year_id, item_id, name, str(amount), ""])
    started = time.perf_counter()
    result = LedgerLineResource().import_data(dataset, dry_run=False, raise_errors=True)
    elapsed = time.perf_counter() - started
    assert not result.has_errors()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stock-rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="imports to time; the figures are their medians")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        import python_calamine

        from ledger.importing import services
        from ledger.models import LedgerLine, LedgerYear

        villages = build_world(villages_needed(args.rows))
        from villages.models import Village

        villages = list(Village.objects.select_related("town").order_by("code"))
        data = build_file(villages, args.rows)
        print(f"file: {len(data) / 1e6:.1f} MB, {args.rows} lines, {len(villages)} villages × {len(YEARS)} years",
              file=sys.stderr)

        # This machine is a shared VM whose speed drifts by ±30 % from one minute to the next: each
        # figure is the median of `--runs` runs, each on empty ledger tables; every run is printed.
        parse_runs, import_runs = [], []
        for run in range(args.runs):
            if run:
                empty_ledger_tables()
            started = time.perf_counter()
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            cells = workbook.get_sheet_by_index(0).to_python()
            parse_runs.append(time.perf_counter() - started)
            del cells, workbook

            started = time.perf_counter()
            check, batch = services.import_ledger_file(data=data, filename="bench.xlsx")
            import_runs.append(time.perf_counter() - started)
            if check.problems:
                raise SystemExit(f"import failed: {[str(p) for p in check.problems[:5]]}")
            assert LedgerLine.objects.count() == args.rows, LedgerLine.objects.count()
            assert LedgerYear.objects.count() == len(check.plan.rows)
            check_rows = check.plan.rows
            del check, batch  # the next import is a run of its own, as it would be in the worker
            print(f"run {run + 1}: parse {parse_runs[-1]:.2f} s, import {import_runs[-1]:.2f} s", file=sys.stderr)
        parse_s, import_s = statistics.median(parse_runs), statistics.median(import_runs)

        started = time.perf_counter()
        again, _ = services.import_ledger_file(data=data, filename="bench.xlsx")
        reimport_s = time.perf_counter() - started
        assert again.plan.count("unchanged") == len(again.plan.rows)

        stock_rows = min(args.stock_rows, args.rows)
        stock_elapsed = stock_import(stock_rows)
        stock_die_s = stock_elapsed * args.rows / stock_rows
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = os.getloadavg()
        print(f"database: {connection.vendor}; import {args.rows / import_s:,.0f} rows/s; unchanged re-import "
              f"{reimport_s:.2f} s; stock django-import-export {stock_rows / stock_elapsed:,.0f} rows/s; "
              f"speed-up {stock_die_s / import_s:.1f}×; import/parse {import_s / parse_s:.1f}×", file=sys.stderr)
        print(json.dumps({
            "rows": args.rows, "import_s": round(import_s, 2), "parse_s": round(parse_s, 2),
            "import_runs_s": [round(t, 2) for t in import_runs],
            "stock_die_s": round(stock_die_s, 1), "stock_die_rows": stock_rows, "peak_mb": round(peak_mb, 1),
            "database": connection.vendor, "reimport_unchanged_s": round(reimport_s, 2),
            "rows_per_s": round(args.rows / import_s), "lines_per_village_year": round(args.rows / len(check_rows)),
            # The import against python-calamine reading the same file: both are CPU work on the same
            # machine, so this ratio moves far less than the seconds when the VM's speed drifts.
            "import_per_parse": round(import_s / parse_s, 2),
            "load_avg": [round(x, 2) for x in load],
        }))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
