"""Speed of the 收益分配统计表 at province scale: `ledger.annual_report.statement_report` over 25,000
villages, its files, and the page as an administrator requests it.

    DATABASE_URL=postgres://…/cunji_report_bench .venv/bin/python bench/report_bench.py [--runs 10]

Builds (or reuses) the synthetic province of `bench/dashboard_bench.py` (25,000 villages in 1,250
towns in 100 counties, seed 1); three years are enough here (2023 under the 2004 system, 2024 and 2025
under the 2023 system). Times are wall-clock per call, server-side. The last line printed is one JSON
object with the figures (p50/p95 in ms).
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from dashboard_bench import bench_user, ensure_world, percentile, timed  # noqa: E402 (sets Django up)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from dashboards.synthetic import PROVINCE_PREFIX  # noqa: E402
from ledger.annual_report import statement_report  # noqa: E402
from ledger.annual_report_files import Signature, report_csv, report_xlsx  # noqa: E402
from ledger.models import LedgerLine, LedgerYear  # noqa: E402
from villages.models import County, Village  # noqa: E402


def figures(times: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--towns-per-county", type=float, default=12.5)
    parser.add_argument("--villages-per-town", type=float, default=20)
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args()
    ensure_world(args)
    setup_test_environment()

    province = Village.objects.filter(code__startswith=PROVINCE_PREFIX)
    county = County.objects.filter(code__startswith=PROVINCE_PREFIX).order_by("code").first()
    years = sorted(LedgerYear.objects.filter(village__code__startswith=PROVINCE_PREFIX)
                   .values_list("year", flat=True).distinct())
    admin = bench_user("bench_admin", "admin")
    client = Client()
    client.force_login(admin)
    results = {}
    for year in (years[0], years[-1]):  # one year of each accounting system when there are both
        report = statement_report(villages=province, year=year)
        assert report.balanced, [c for c in report.checks if not c.ok]
        calls = {
            f"province_{year}": lambda year=year: statement_report(villages=province, year=year),
            f"county_{year}": lambda year=year: statement_report(villages=Village.objects.filter(town__county=county),
                                                                 year=year),
            f"province_{year}_xlsx": lambda year=year: report_xlsx(statement_report(villages=province, year=year),
                                                                   Signature(unit="全省")),
            f"province_{year}_csv": lambda year=year: report_csv(statement_report(villages=province, year=year)),
            f"province_{year}_page": lambda year=year: client.get(reverse("dashboards:report"), {"year": year}),
        }
        for name, call in calls.items():
            call()  # warm
            results[name] = figures(timed(call, args.runs))
            print(f"{name:24s} p50 {results[name]['p50_ms']:7.1f} ms  p95 {results[name]['p95_ms']:7.1f} ms",
                  file=sys.stderr)
        results[f"province_{year}"]["villages_reported"] = report.villages_reported
    print(json.dumps({"database": connection.vendor, "villages": province.count(),
                      "lines": LedgerLine.objects.count(), "report": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
