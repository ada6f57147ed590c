"""A deterministic synthetic province for demos and the benchmark (`generate_synthetic`).

Realistic skew: village incomes are log-normal (many small villages, a few rich ones) scaled by a
county and a town factor; each village has its own trend (growth or decline) and yearly noise, and a
few villages have no operating income at all (空壳村). The same seed always gives the same world.
Every ledger goes through `ledger.services.ledger_years_bulk_replace`, so the figures the
dashboards read are made exactly as a real import makes them.
"""

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from ledger import services
from ledger.models import LedgerYear, LineItem
from villages.models import County, PartyOrganization, PartyOrganizationMembership, Town, Village

# A fictional province prefix, so synthetic codes never collide with real 统计用区划代码.
PROVINCE_PREFIX = "98"
LAST_YEAR = 2025
SYLLABLES = "长幸永红新八利东西南北中兴和平安福康庆丰泰华盛富民胜光明金石桥河山林湖湾塘港沙田园桂".strip()
CHUNK_VILLAGES = 400

# Share of a village's operating income (经营性收入) by line item; the rest of the statement follows.
INCOME_SPLIT_2004 = {"operating_revenue": 0.45, "contract_remittance": 0.40, "investment_income": 0.15}
INCOME_SPLIT_2023 = {"operating_revenue": 0.80, "investment_income": 0.20}


@dataclass
class SyntheticResult:
    counties: int
    towns: int
    villages: int
    ledger_years_created: int


def _names(rng: random.Random, count: int, suffix: str) -> list[str]:
    pairs = [a + b for a in SYLLABLES for b in SYLLABLES if a != b]
    if count > len(pairs):
        pairs += [f"{p}{n}" for n in range(2, 2 + count // len(pairs) + 1) for p in pairs]
    return [name + suffix for name in rng.sample(pairs, count)]


def _spread(total: int, parts: int) -> list[int]:
    """`total` split over `parts` as evenly as integers allow (12.5 towns per county → 13, 12, 13 …)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _cents(value: float) -> Decimal:
    # Floats only drive the random draw; the amount written is exact 元 with 2 places.
    return (Decimal(round(max(0.0, value) * 100)) / 100).quantize(Decimal("0.01"))


def build_geography(*, counties: int, towns_per_county: float, villages_per_town: float, seed: int):
    """Counties, towns and villages (created once; a second run with the same shape reuses them)."""
    rng = random.Random(seed)
    total_towns = round(counties * towns_per_county)
    towns_in = _spread(total_towns, counties)
    villages_in = _spread(round(total_towns * villages_per_town), total_towns)
    if max(towns_in) > 99 or max(villages_in) > 399:
        raise ValueError("每县最多 99 个镇、每镇最多 399 个村（区划代码位数所限）。")
    county_rows, town_rows, village_rows = [], [], []
    county_names = _names(rng, counties, "县")
    town_index = 0
    village_codes = []
    for c in range(counties):
        code = f"{PROVINCE_PREFIX}{c // 99 + 1:02d}{c % 99 + 1:02d}000000"
        county_rows.append(County(code=code, name=f"{county_names[c]}", province="合成省", city="合成市"))
        for t, t_name in enumerate(_names(rng, towns_in[c], "镇")):
            town_code = f"{code[:6]}{100 + t:03d}000"
            town_rows.append(Town(code=town_code, name=t_name, county_id=None))
            town_rows[-1]._county_code = code
            count = villages_in[town_index]
            town_index += 1
            for v, v_name in enumerate(_names(rng, count, "村")):
                number = 200 + v if v < 200 else v - 199
                village_rows.append(Village(code=f"{town_code[:9]}{number:03d}", name=v_name))
                village_rows[-1]._town_code = town_code
                village_codes.append(village_rows[-1].code)
    with transaction.atomic():
        County.objects.bulk_create(county_rows, ignore_conflicts=True, batch_size=2000)
        county_ids = dict(County.objects.filter(code__startswith=PROVINCE_PREFIX).values_list("code", "pk"))
        for town in town_rows:
            town.county_id = county_ids[town._county_code]
        Town.objects.bulk_create(town_rows, ignore_conflicts=True, batch_size=2000)
        town_ids = dict(Town.objects.filter(code__startswith=PROVINCE_PREFIX).values_list("code", "pk"))
        for village in village_rows:
            village.town_id = town_ids[village._town_code]
        Village.objects.bulk_create(village_rows, ignore_conflicts=True, batch_size=5000)
    return len(county_rows), len(town_rows), village_codes


def build_party_organizations(*, village_codes: list[str], seed: int) -> None:
    """Per county three 区域党委 over five villages each, around one industry (as in 沁阳市)."""
    rng = random.Random(seed + 1)
    industries = ["皮筋头饰", "驴肉加工", "非遗黑陶", "养生花茶", "刷业", "苗木花卉"]
    villages_by_county: dict[int, list[int]] = {}
    wanted = set(village_codes)
    for pk, code, county_id in Village.objects.filter(code__startswith=PROVINCE_PREFIX).order_by(
            "code").values_list("pk", "code", "town__county_id"):
        if code not in wanted:
            continue
        villages_by_county.setdefault(county_id, []).append(pk)
    existing = set(PartyOrganization.objects.filter(county_id__in=villages_by_county).values_list("county_id",
                                                                                                   "name"))
    orgs, members = [], []
    for county_id, village_ids in sorted(villages_by_county.items()):
        for n in range(min(3, len(village_ids) // 5)):
            industry = industries[(county_id + n) % len(industries)]
            name = f"{industry}产业区域党委"
            if (county_id, name) in existing:
                continue
            org = PartyOrganization(name=name, kind=PartyOrganization.Kind.REGIONAL_COMMITTEE,
                                    county_id=county_id, industry=industry)
            orgs.append(org)
            members.append((org, rng.sample(village_ids, 5)))
    with transaction.atomic():
        PartyOrganization.objects.bulk_create(orgs, batch_size=2000)
        PartyOrganizationMembership.objects.bulk_create(
            [PartyOrganizationMembership(organization=org, village_id=v) for org, ids in members for v in ids],
            batch_size=5000,
        )


def _statement_lines(items: dict[str, int], year: int, operating: float, subsidy: float, rng: random.Random):
    split = INCOME_SPLIT_2004 if year <= 2023 else INCOME_SPLIT_2023
    lines = []
    for code, part in split.items():
        lines.append(services.LineInput(item_id=items[code], amount=_cents(operating * part * rng.uniform(.8, 1.2))))
    expense = operating * rng.uniform(.35, .7)
    lines.append(services.LineInput(item_id=items["operating_expense"], amount=_cents(expense * .6)))
    lines.append(services.LineInput(item_id=items["admin_expense"], amount=_cents(expense * .4)))
    if year > 2023:
        lines.append(services.LineInput(item_id=items["taxes_surcharges"], amount=_cents(operating * .01)))
    lines.append(services.LineInput(item_id=items["subsidy_income"], amount=_cents(subsidy)))
    lines.append(services.LineInput(item_id=items["other_income"], amount=_cents(subsidy * rng.uniform(0, .3))))
    lines.append(services.LineInput(item_id=items["other_expense"], amount=_cents(subsidy * rng.uniform(0, .2))))
    return lines


def village_years(village_code: str, years: list[int], seed: int, county_factor: float, town_factor: float):
    """(year, operating income, subsidy) for one village: its own rng, so any village is reproducible."""
    rng = random.Random(f"{seed}:{village_code}")
    shell = rng.random() < 0.04
    base = 0.0 if shell else rng.lognormvariate(math.log(220_000), 1.05) * county_factor * town_factor
    trend = rng.gauss(0.06, 0.07)
    subsidy = rng.lognormvariate(math.log(120_000), 0.6)
    out = []
    for i, year in enumerate(years):
        level = base * math.exp(trend * (i - len(years) + 1) + rng.gauss(0, 0.08))
        out.append((year, level, subsidy * rng.uniform(.8, 1.2)))
    return out, rng


def build_ledgers(*, village_codes: list[str], years: int, seed: int, progress=None) -> int:
    """Village-years for every synthetic village that has none yet, written in chunks by the service.

    The last year is partly still in the workflow (some submitted, some draft), as in a real spring.
    """
    year_list = list(range(LAST_YEAR - years + 1, LAST_YEAR + 1))
    items: dict[int, dict[str, int]] = {}
    for pk, code, system_first in LineItem.objects.values_list("pk", "code", "system__first_year"):
        items.setdefault(system_first, {})[code] = pk
    items_for = {y: items[max(k for k in items if k <= y)] for y in year_list}
    county_factor, town_factor = {}, {}
    wanted = set(village_codes)
    villages = [v for v in Village.objects.filter(code__startswith=PROVINCE_PREFIX).select_related("town")
                .order_by("code") if v.code in wanted]
    done = set(LedgerYear.objects.filter(village__code__startswith=PROVINCE_PREFIX, year__in=year_list)
               .values_list("village_id", "year"))
    created = 0
    for start in range(0, len(villages), CHUNK_VILLAGES):
        by_status: dict[str, list[services.YearStatement]] = {}
        for village in villages[start:start + CHUNK_VILLAGES]:
            county_code, town_code = village.code[:6], village.code[:9]
            if county_code not in county_factor:
                county_factor[county_code] = random.Random(f"{seed}:{county_code}").lognormvariate(0, .35)
            if town_code not in town_factor:
                town_factor[town_code] = random.Random(f"{seed}:{town_code}").lognormvariate(0, .3)
            plan, rng = village_years(village.code, year_list, seed, county_factor[county_code],
                                      town_factor[town_code])
            for year, operating, subsidy in plan:
                if (village.pk, year) in done:
                    continue
                status = LedgerYear.Status.APPROVED
                if year == LAST_YEAR:
                    roll = rng.random()
                    status = (LedgerYear.Status.SUBMITTED if roll < .2 else
                              LedgerYear.Status.DRAFT if roll < .3 else LedgerYear.Status.APPROVED)
                by_status.setdefault(status, []).append(services.YearStatement(
                    village=village, year=year, lines=_statement_lines(items_for[year], year, operating, subsidy, rng)))
        for status, statements in by_status.items():
            services.ledger_years_bulk_replace(statements=statements, source="system", initial_status=status,
                                               reason="合成数据")
            created += len(statements)
        if progress:
            progress(min(start + CHUNK_VILLAGES, len(villages)), len(villages))
    return created


def generate_synthetic(*, counties: int, towns_per_county: float, villages_per_town: float, years: int,
                       seed: int = 1, progress=None) -> SyntheticResult:
    """Build (or complete) the synthetic province; see the module docstring."""
    c, t, codes = build_geography(counties=counties, towns_per_county=towns_per_county,
                                  villages_per_town=villages_per_town, seed=seed)
    build_party_organizations(village_codes=codes, seed=seed)
    created = build_ledgers(village_codes=codes, years=years, seed=seed, progress=progress)
    return SyntheticResult(counties=c, towns=t, villages=len(codes), ledger_years_created=created)
