"""Dashboard speed at province scale: the real views against the naive way (ORM sums over raw lines).

    DATABASE_URL=postgres://…/cunji_bench .venv/bin/python bench/dashboard_bench.py [--runs 30]

Builds the synthetic province if the database does not hold it yet (25,000 villages in 1,250 towns
in 100 counties, 10 years, ~8 lines per village-year: about 2 million lines; `generate_synthetic`,
seed 1), or reuses it. Each page is requested through Django's test client with its templates
rendered; times are server-side wall-clock per request. The naive column computes the same table
by aggregating LedgerLine rows through the metric definitions, without the LedgerYear summary.
The last line printed is one JSON object with the figures: "pages" for a county official's pages
(and the province-wide village table), "province_pages" for an administrator's whole-province
overview, town table, 填报进度 and 三色预警; "floor_ms", the p50 of a bare login-required page
(the password-change form: session, user, a template) measured in the same run, and "floor_ratios",
each county page's p50 over it (the target: within 12×). On stderr each page also gets the time of
the same tables from the summary without HTTP and templates ("summary query"), the like-for-like
comparison with the naive column.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, F, Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from dashboards import selectors  # noqa: E402
from dashboards.rules import scope_rules  # noqa: E402
from dashboards.selectors.progress import progress_table  # noqa: E402
from dashboards.selectors.warnings import warnings_report  # noqa: E402
from dashboards.synthetic import PROVINCE_PREFIX, generate_synthetic  # noqa: E402
from ledger.models import LedgerLine, LedgerYear  # noqa: E402
from villages.models import County, UserRole, Village  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def ensure_world(args) -> None:
    have = Village.objects.filter(code__startswith=PROVINCE_PREFIX).count()
    wanted = round(round(args.counties * args.towns_per_county) * args.villages_per_town)
    years = LedgerYear.objects.filter(village__code__startswith=PROVINCE_PREFIX).count()
    if have >= wanted and years >= wanted * args.years:
        print(f"reusing synthetic world: {have} villages, {years} village-years", file=sys.stderr)
        return
    print("building synthetic world …", file=sys.stderr)
    started = time.monotonic()
    generate_synthetic(counties=args.counties, towns_per_county=args.towns_per_county,
                       villages_per_town=args.villages_per_town, years=args.years, seed=1,
                       progress=lambda d, t: print(f"  {d}/{t}", file=sys.stderr))
    print(f"built in {time.monotonic() - started:.0f}s", file=sys.stderr)
    if connection.vendor == "postgresql":
        # Fresh statistics and visibility map, as autovacuum would give a live database after a big load.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def bench_user(username: str, role: str, county=None):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=username)
    UserRole.objects.update_or_create(user=user, defaults={"role": role, "county": county, "town": None})
    return user


# The naive way: sum each village-year's lines through the metric definitions (MetricTerm), per request.

def naive_village_values(metric: str, years: list[int], **scope) -> dict[tuple[int, int], object]:
    rows = (LedgerLine.objects.filter(ledger_year__year__in=years, ledger_year__status="approved",
                                      item__metric_terms__metric__code=metric,
                                      **{f"ledger_year__{k}": v for k, v in scope.items()})
            .values("ledger_year__village_id", "ledger_year__year")
            .annotate(value=Sum(F("amount") * F("item__metric_terms__sign"))))
    return {(r["ledger_year__village_id"], r["ledger_year__year"]): r["value"] for r in rows}


def naive_ranking(metric: str, year: int, **scope):
    values = naive_village_values(metric, [year, year - 1], **scope)
    current = sorted(((v, k[0]) for k, v in values.items() if k[1] == year), reverse=True)
    previous = sorted(((v, k[0]) for k, v in values.items() if k[1] == year - 1), reverse=True)
    previous_rank = {village: i for i, (_, village) in enumerate(previous, start=1)}
    ranked = [(i, village, value, previous_rank.get(village)) for i, (value, village) in enumerate(current, start=1)]
    names = dict(Village.objects.filter(pk__in=[r[1] for r in ranked[:50]]).values_list("pk", "name"))
    return [(r, names.get(r[1])) for r in ranked[:50]]


def naive_overview(county_id: int | None, year: int):
    scope = {"county_id": county_id} if county_id else {}
    total = naive_village_values("total_income", [year, year - 1], **scope)
    operating = naive_village_values("operating_income", [year, year - 1], **scope)
    this_year = [v for k, v in total.items() if k[1] == year]
    tiers = [sum(1 for v in this_year if v >= line) for line in (5_000_000, 3_000_000, 1_500_000)]
    weak = sum(1 for k, v in operating.items() if k[1] == year and v < 100_000)
    return sum(this_year), tiers, weak, naive_ranking("operating_income", year, **scope)[:10]


def naive_town_table(county_id: int | None, year: int):
    scope = {"county_id": county_id} if county_id else {}
    values = naive_village_values("operating_income", [year, year - 1], **scope)
    towns = dict(Village.objects.filter(**({"town__county_id": county_id} if county_id else {}))
                 .values_list("pk", "town_id"))
    per_town: dict[int, list] = {}
    for (village, y), value in values.items():
        if y == year:
            per_town.setdefault(towns[village], []).append(value)
    return {t: (sum(v), sum(v) / len(v), statistics.median(v)) for t, v in per_town.items()}


def naive_profile(village: Village, county_id: int):
    years = list(LedgerYear.objects.filter(village=village).values_list("year", flat=True))
    values = naive_village_values("operating_income", years, county_id=county_id)
    ranks = {}
    for year in years:
        ordered = sorted(((v, k[0]) for k, v in values.items() if k[1] == year), reverse=True)
        ranks[year] = next((i for i, (_, pk) in enumerate(ordered, start=1) if pk == village.pk), None)
    lines = list(LedgerLine.objects.filter(ledger_year__village=village).values_list("ledger_year__year", "item__name",
                                                                                      "amount"))
    return ranks, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--naive-runs", type=int, default=5)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--towns-per-county", type=float, default=12.5)
    parser.add_argument("--villages-per-town", type=float, default=20)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--pages", default="", help="comma-separated page names to measure (default: all)")
    args = parser.parse_args()

    ensure_world(args)
    setup_test_environment()  # lets the test client render templates as in a test, without a test database
    synthetic = County.objects.filter(code__startswith=PROVINCE_PREFIX)
    # A county of median size, so the county figures are typical.
    sized = sorted(synthetic.annotate(n=Count("towns__villages")).values_list("n", "pk"))
    county = County.objects.get(pk=sized[len(sized) // 2][1])
    official = bench_user("bench_official", "official", county)
    admin = bench_user("bench_admin", "admin")
    year = LedgerYear.objects.filter(county=county, status="approved").order_by("-year").values_list(
        "year", flat=True).first()
    village = (Village.objects.filter(town__county=county, ledger_years__year=year)
               .order_by("code").select_related("town")[len(sized) // 3])

    official_client, admin_client = Client(), Client()
    official_client.force_login(official)
    admin_client.force_login(admin)

    # The same tables from the summary, without HTTP, session and templates: like for like with naive.
    county_scope, province_scope = selectors.Scope(county=county), selectors.Scope()
    approved = selectors.APPROVED

    def summary_overview(scope=county_scope):
        selectors.overview_page(scope=scope, year=year, year_statuses=approved, metric="operating_income",
                                rules=scope_rules(scope.county_ids))

    def summary_village_table(scope):
        rules = scope_rules(scope.county_ids)
        selectors.ranked_villages(scope=scope, year=year, year_statuses=approved, metric="operating_income",
                                  rules=rules, limit=50)

    def summary_town_table(scope):
        selectors.unit_table_page(scope=scope, year=year, year_statuses=approved, metric="operating_income",
                                  rules=scope_rules(scope.county_ids), limit=50)

    def summary_profile():
        rules = scope_rules([county.pk]).for_county(county.pk)
        selectors.village_profile(village=village, year_statuses=approved, metric="operating_income",
                                  rules=rules)

    def summary_warnings(scope):
        report = warnings_report(scope=scope, year=year, year_statuses=approved, rules=scope_rules(scope.county_ids))
        report.describe(report.page(offset=0, limit=50)[1])

    summaries = {
        "progress": lambda: progress_table(scope=county_scope, year=year),
        "warnings": lambda: summary_warnings(county_scope),
        "progress_province": lambda: progress_table(scope=province_scope, year=year),
        "warnings_province": lambda: summary_warnings(province_scope),
        "overview": summary_overview, "village_table_county": lambda: summary_village_table(county_scope),
        "village_table_province": lambda: summary_village_table(province_scope),
        "town_table": lambda: summary_town_table(county_scope), "village_profile": summary_profile,
        "overview_province": lambda: summary_overview(province_scope),
        "town_table_province": lambda: summary_town_table(province_scope),
    }

    pages = {
        "overview": (official_client, reverse("dashboards:overview"),
                     lambda: naive_overview(county.pk, year)),
        "village_table_county": (official_client, reverse("dashboards:villages"),
                                 lambda: naive_ranking("operating_income", year, county_id=county.pk)),
        "village_table_province": (admin_client, reverse("dashboards:villages"),
                                   lambda: naive_ranking("operating_income", year)),
        "town_table": (official_client, reverse("dashboards:towns"), lambda: naive_town_table(county.pk, year)),
        "village_profile": (official_client, reverse("dashboards:village", args=[village.pk]),
                            lambda: naive_profile(village, county.pk)),
        # New pages (#15): no naive counterpart (nothing reads the raw lines for them).
        "progress": (official_client, reverse("dashboards:progress"), None),
        "warnings": (official_client, reverse("dashboards:warnings"), None),
    }
    # The same pages for an administrator over the whole province, where the summary matters most:
    # under "province_pages" in the JSON ("pages" keeps its five pages).
    province_pages = {
        "overview_province": (admin_client, reverse("dashboards:overview"), lambda: naive_overview(None, year)),
        "town_table_province": (admin_client, reverse("dashboards:towns"), lambda: naive_town_table(None, year)),
        # 三色预警 of the whole province (25,000 villages) in one page load: the target is 300 ms.
        "progress_province": (admin_client, reverse("dashboards:progress"), None),
        "warnings_province": (admin_client, reverse("dashboards:warnings"), None),
    }
    # The floor: a bare login-required page, in the same run, so that the ratios hold on a busy machine.
    floor_url = reverse("password_change")
    for _ in range(3):
        assert official_client.get(floor_url).status_code == 200
    floor_ms = statistics.median(timed(lambda: official_client.get(floor_url), args.runs))
    print(f"{'floor (login required)':24s} page p50 {floor_ms:6.1f} ms", file=sys.stderr)
    results = {}
    wanted = set(filter(None, args.pages.split(",")))
    if wanted:
        pages = {k: v for k, v in pages.items() if k in wanted}
        province_pages = {k: v for k, v in province_pages.items() if k in wanted}
    for name, (client, url, naive) in (pages | province_pages).items():
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)

        def request(client=client, url=url):
            client.get(url)

        times = timed(request, args.runs)
        naive_times = timed(naive, args.naive_runs) if naive else None
        summary_times = timed(summaries[name], args.runs)
        results[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
                         "naive_p50_ms": round(statistics.median(naive_times), 1) if naive_times else None}
        summary_p50 = statistics.median(summary_times)
        naive_text = (f"naive query p50 {results[name]['naive_p50_ms']:7.1f} ms"
                      f" ({results[name]['naive_p50_ms'] / summary_p50:5.1f}x)" if naive_times else "no naive page")
        print(f"{name:24s} page p50 {results[name]['p50_ms']:6.1f} ms  p95 {results[name]['p95_ms']:6.1f} ms"
              f" | summary query p50 {summary_p50:6.1f} ms | {naive_text}"
              f" | {results[name]['p50_ms'] / floor_ms:4.1f}x floor", file=sys.stderr)
    county_pages = [name for name in pages if name != "village_table_province"]
    print(json.dumps({"villages": Village.objects.count(), "lines": LedgerLine.objects.count(),
                      "floor_ms": round(floor_ms, 1),
                      "floor_ratios": {name: round(results[name]["p50_ms"] / floor_ms, 1) for name in county_pages},
                      "pages": {name: results[name] for name in pages},
                      "province_pages": {name: results[name] for name in province_pages}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
