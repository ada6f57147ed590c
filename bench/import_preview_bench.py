"""How fast the import preview is for a 100,000-line file that changes every line of existing
village-years (the worst case: every year diffed line by line, the entry form's warnings run against
last year for each, the changed lines kept for the page), and how large the stored preview is.

Builds a throw-away test database (DATABASE_URL; default SQLite), imports the bench file of
`import_bench.py` once, then checks a second version of it in which every amount is 10× (so every
line changes and warns): check_s is that check (read, parse, plan, warnings), preview_kb the stored
preview, page_s the preview page's first page rendered for a staff user. Last line: one JSON object.

    .venv/bin/python bench/import_preview_bench.py [--rows 100000]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse
        from import_bench import ITEMS_2004, YEARS, build_file, build_world

        from ledger.importing import services
        from villages.models import UserRole, Village

        settings.ALLOWED_HOSTS = ["testserver"]
        villages_needed = -(-args.rows // (len(YEARS) * len(ITEMS_2004)))
        build_world(villages_needed)
        villages = list(Village.objects.select_related("town").order_by("code"))
        first = build_file(villages, args.rows)
        check, _batch = services.import_ledger_file(data=first, filename="first.xlsx")
        assert not check.problems, check.problems[:3]

        import io

        import python_calamine  # the same file, every amount ×10
        from openpyxl import Workbook
        rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(first)).get_sheet_by_index(0).to_python()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("台账明细")
        for index, row in enumerate(rows):
            sheet.append(row if index < 2 else [*row[:6], row[6] * 10])
        buffer = io.BytesIO()
        workbook.save(buffer)
        second = buffer.getvalue()

        from django.contrib.auth import get_user_model
        staff = get_user_model().objects.create_user("bench_staff", password="x")
        UserRole.objects.create(user=staff, role="staff", county=villages[0].town.county)
        batch = services.import_batch_create(data=second, filename="second.xlsx", actor=staff)
        started = time.perf_counter()
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats
            profile = cProfile.Profile()
            profile.runcall(services.import_batch_check, batch=batch)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        else:
            services.import_batch_check(batch=batch)
        check_s = time.perf_counter() - started
        assert batch.status == "ready", batch.errors[:3]
        preview_kb = len(json.dumps(batch.preview, ensure_ascii=False).encode()) / 1024
        warned = sum(1 for row in batch.preview if row["warnings"])
        changes = sum(len(row["changes"]) for row in batch.preview)

        client = Client()
        client.force_login(staff)
        client.get(reverse("ledger:import_list"))  # templates compiled, as on a running server
        started = time.perf_counter()
        response = client.get(reverse("ledger:import_detail", args=[batch.pk]))
        page_s = time.perf_counter() - started
        if os.environ.get("PROFILE_PAGE"):
            import cProfile
            import pstats
            profile = cProfile.Profile()
            profile.runcall(client.get, reverse("ledger:import_detail", args=[batch.pk]) + "?page=60")
            pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(15)
        started = time.perf_counter()
        client.get(reverse("ledger:import_detail", args=[batch.pk]) + "?page=60")
        page_s = max(page_s, time.perf_counter() - started)
        assert response.status_code == 200
        print(f"database: {connection.vendor}; check {check_s:.2f} s; preview {preview_kb:,.0f} KB "
              f"({len(batch.preview)} village-years, {changes} changed lines kept, {warned} with warnings); "
              f"first page {page_s:.2f} s", file=sys.stderr)
        print(json.dumps({"rows": args.rows, "check_s": round(check_s, 2), "preview_kb": round(preview_kb),
                          "village_years": len(batch.preview), "changes_kept": changes, "warned": warned,
                          "page_s": round(page_s, 2), "database": connection.vendor}))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
