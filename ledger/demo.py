"""The demo world, built from the case reports (../shared/seeds, DOMAIN.md).

- 扬中市 (321182) with its six towns; 八桥镇 (321182103) has the eight villages the report names, and
  its 2021 accounts reproduce the report's tiers: one village with 总收入 ≥ 500万, four ≥ 300万, the
  rest ≥ 150万. 长胜/幸福/永胜/红旗/永兴 rent out the 10,600 m² of standard workshops they built
  together (+110万 a year from 2021), 红光村 lets six shops (+50万), 八桥村 earns 80万 from services
  to firms, 利民村 ~200万 from produce.
- 沁阳市 (410882) with 11 towns and 339 villages; four 区域党委 over 15 villages, each around one
  industry (皮筋头饰, 驴肉加工, 非遗黑陶, 养生花茶) with a 强村公司 its villages own through shares;
  the dividends are the villages' 投资收益 from 2022 on.
- Accounts 2019–2024, all approved (2024 under the new accounting system); 2025 is open for entry.
  Whole statements: 其中：干部报酬 under 管理费用 (2004 system), and the 收益分配 half carried forward
  year by year (each 年初未分配收益 is last year's 年末未分配收益, 2023 → 2024 included), with
  公积公益金, 福利费 and 农户/成员分配 drawn from the year's 净收益. 宋寨村 (紫陵镇) lost money on an
  investment in 2020 (投资收益 negative).
- One demo user per role.

The counties, towns and villages with their codes are data, in `fixtures/demo_divisions.json`; the
accounts, organisations and shares built on them are here.

Idempotent: what exists is left as it is, so running it twice changes nothing.
"""

import json
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from villages.models import (
    County,
    Enterprise,
    PartyOrganization,
    PartyOrganizationMembership,
    Town,
    UserRole,
    Village,
)
from villages.validators import credit_code_check_character, organization_code_check_character

from . import roles, services
from .metrics import figures_for
from .models import LedgerYear, LineItem, Share
from .money import YUAN_PER_WAN
from .systems import FIXTURES_DIR, system_code_for_year

DEMO_YEARS = range(2019, 2025)
DEMO_PASSWORD = "demo-pass-2025"
DIVISIONS = FIXTURES_DIR / "demo_divisions.json"

WORKSHOP_VILLAGES = ["长胜村", "幸福村", "永胜村", "红旗村", "永兴村"]
# (town, village, year): an investment loss (投资收益 below zero) that year.
INVESTMENT_LOSS = ("紫陵镇", "宋寨村", 2020, Decimal(-85000))
NEGATIVE_ITEMS = {"investment_income", "opening_undistributed"}
# 八桥镇 2021 总收入 in 万元: 1 village ≥ 500, 4 ≥ 300, the rest ≥ 150 (the report's tiers).
BAQIAO_2021_TOTAL = {"八桥村": 568, "长胜村": 386, "幸福村": 352, "永胜村": 331, "红光村": 318,
                     "红旗村": 276, "永兴村": 241, "利民村": 214}
YANGZHONG, QINYANG = "321182000000", "410882000000"  # county codes in the fixture
REGIONAL_COMMITTEES = [
    # (town, committee, industry, company, villages: the first listed by the report's example 宋寨村)
    ("紫陵镇", "紫陵镇皮筋头饰区域党委", "皮筋头饰", "沁阳市紫陵发饰强村公司", ["宋寨村", "赵寨村", "李庄村", "张营村"]),
    ("柏香镇", "柏香镇驴肉加工区域党委", "驴肉加工", "沁阳市柏香驴肉强村公司", ["柏香村", "王庄村", "刘营村", "陈寨村"]),
    ("覃怀街道", "覃怀街道非遗黑陶区域党委", "非遗黑陶", "沁阳市盆窑黑陶强村公司", ["盆窑村", "杨庄村", "周屯村", "吴堡村"]),
    ("山王庄镇", "山王庄镇养生花茶区域党委", "养生花茶", "沁阳市怀菊花茶强村公司", ["山王庄村", "徐岗村", "孙坡村"]),
]


@dataclass
class DemoSummary:
    counties: int = 0
    towns: int = 0
    villages: int = 0
    ledger_years_created: int = 0
    users_created: int = 0


def credit_code(first17: str) -> str:
    """A valid code from a made-up one: position 17 becomes the 组织机构代码's check, 18 the code's."""
    body = first17[:16] + organization_code_check_character(first17[8:16])
    return body + credit_code_check_character(body)


def _divisions() -> list[dict]:
    """The counties, towns and villages of `fixtures/demo_divisions.json`."""
    return json.loads(DIVISIONS.read_text(encoding="utf-8"))["counties"]


def _build_hierarchy(summary: DemoSummary) -> dict[str, dict[str, Village]]:
    """Counties, towns and villages of the fixture; returns the villages by town name and village name."""
    villages: dict[str, dict[str, Village]] = {}
    for county_spec in _divisions():
        county, created = County.objects.get_or_create(code=county_spec["code"], defaults={
            "name": county_spec["name"], "province": county_spec["province"], "city": county_spec["city"]})
        summary.counties += created
        for town_spec in county_spec["towns"]:
            town, created = Town.objects.get_or_create(code=town_spec["code"],
                                                       defaults={"county": county, "name": town_spec["name"]})
            summary.towns += created
            villages[town.name] = {}
            for code, name in town_spec["villages"]:
                village, created = Village.objects.get_or_create(code=code, defaults={"town": town, "name": name})
                summary.villages += created
                villages[town.name][name] = village
    return villages


def _build_organisations(villages) -> dict[str, list[tuple[Village, Share]]]:
    """Party organisations, enterprises and shares; returns the shares per 强村公司 holder village."""
    yangzhong = County.objects.get(code=YANGZHONG)
    qinyang = County.objects.get(code=QINYANG)
    baqiao = Town.objects.get(code="321182103000")
    for i, (name, village) in enumerate(villages["八桥镇"].items()):
        kind = PartyOrganization.Kind.VILLAGE_COMMITTEE if name == "八桥村" else PartyOrganization.Kind.VILLAGE_GENERAL_BRANCH
        org, _ = PartyOrganization.objects.get_or_create(
            county=yangzhong, name=f"{name}{kind.label}", defaults={"kind": kind, "town": baqiao})
        PartyOrganizationMembership.objects.get_or_create(organization=org, village=village)
        Enterprise.objects.get_or_create(
            county=yangzhong, name=f"扬中市八桥镇{name}股份经济合作社",
            defaults={"kind": Enterprise.Kind.JOINT_STOCK_COOPERATIVE, "town": baqiao, "village": village,
                      "credit_code": credit_code(f"N2321182MA{i + 1:06d}A")})
    cluster, _ = PartyOrganization.objects.get_or_create(
        county=yangzhong, name="八桥镇标准厂房联建组团",
        defaults={"kind": PartyOrganization.Kind.CLUSTER, "town": baqiao, "industry": "标准化厂房租赁",
                  "note": "长胜、幸福、永胜、红旗、永兴五村联建标准化厂房10600平方米"})
    for name in WORKSHOP_VILLAGES:
        PartyOrganizationMembership.objects.get_or_create(organization=cluster, village=villages["八桥镇"][name])

    shares: dict[str, list[tuple[Village, Share]]] = {}
    for c, (town_name, committee, industry, company, names) in enumerate(REGIONAL_COMMITTEES):
        town = Town.objects.get(county=qinyang, name=town_name)
        org, _ = PartyOrganization.objects.get_or_create(
            county=qinyang, name=committee,
            defaults={"kind": PartyOrganization.Kind.REGIONAL_COMMITTEE, "town": town, "industry": industry})
        enterprise, _ = Enterprise.objects.get_or_create(
            county=qinyang, name=company,
            defaults={"kind": Enterprise.Kind.STRONG_VILLAGE_COMPANY, "town": town, "industry": industry,
                      "credit_code": credit_code(f"91410882MA{c + 1:06d}Q")})
        members = [villages[town_name][n] for n in names]
        percentage = (Decimal(100) / len(members)).quantize(Decimal("0.01"))
        for village in members:
            PartyOrganizationMembership.objects.get_or_create(organization=org, village=village)
            share, _ = Share.objects.get_or_create(
                holder=village, enterprise=enterprise, start_year=2022,
                defaults={"kind": Share.Kind.MONEY, "amount": Decimal(500000), "percentage": percentage,
                          "note": f"{industry}产业入股"})
            shares.setdefault(company, []).append((village, share))
    return shares


def _items() -> dict[tuple[str, str], int]:
    return {(system_code, code): pk for pk, system_code, code in LineItem.objects.values_list("pk", "system__code", "code")}


def _statement(items, village: Village, year: int, parts: dict, extra_named: list[tuple[str, str, Decimal, dict]]):
    """Lines from {item code: 元} and named sub-lines [(item code, 项目, 元, links)]; 2024+ folds the old items."""
    system = system_code_for_year(year)
    lines: dict[tuple[str, str], tuple[Decimal, dict]] = {}

    def add(code, name, amount, links=None):
        if system == "2023" and code == "contract_remittance":
            # The new system books rents and fees as 经营收入 (财会〔2023〕14号).
            code = "operating_revenue"
        amount = Decimal(amount).quantize(Decimal("0.01"))
        if amount == 0 or (amount < 0 and code not in NEGATIVE_ITEMS):
            return
        old, old_links = lines.get((code, name), (Decimal(0), {}))
        lines[(code, name)] = (old + amount, links or old_links)

    for code, amount in parts.items():
        add(code, "", amount)
    for code, name, amount, links in extra_named:
        add(code, name, amount, links)
    return services.YearStatement(village=village, year=year, lines=[
        services.LineInput(item_id=items[(system, code)], name=name, amount=amount,
                           share_id=links.get("share"), enterprise_id=links.get("enterprise"))
        for (code, name), (amount, links) in sorted(lines.items())
    ])


GROWTH = {2019: Decimal("0.80"), 2020: Decimal("0.88"), 2021: Decimal("1"), 2022: Decimal("1.05"),
          2023: Decimal("1.10"), 2024: Decimal("1.16")}


def _split_total(rng: random.Random, total: Decimal, year: int) -> dict[str, Decimal]:
    """Split what is left of a 总收入 (after the named lines) into items, with plausible expenses."""
    subsidy = (total * Decimal(rng.uniform(0.06, 0.12))).quantize(Decimal(1))
    other = (total * Decimal(rng.uniform(0.02, 0.05))).quantize(Decimal(1))
    operating = total - subsidy - other
    revenue = (operating * Decimal(rng.uniform(0.35, 0.5))).quantize(Decimal(1))
    contract = operating - revenue
    parts = {
        "operating_revenue": revenue, "contract_remittance": contract, "subsidy_income": subsidy,
        "other_income": other,
        "operating_expense": (revenue * Decimal(rng.uniform(0.25, 0.45))).quantize(Decimal(1)),
        "admin_expense": (total * Decimal(rng.uniform(0.12, 0.2))).quantize(Decimal(1)),
        "other_expense": (total * Decimal(rng.uniform(0.01, 0.04))).quantize(Decimal(1)),
    }
    if system_code_for_year(year) == "2023":  # the new system's own lines
        parts["taxes_surcharges"] = (revenue * Decimal("0.012")).quantize(Decimal(1))
        parts["public_welfare_expense"] = (total * Decimal(rng.uniform(0.02, 0.05))).quantize(Decimal(1))
    else:  # 其中：干部报酬, part of 管理费用 (the 2023 system's statement has no such line)
        parts["cadre_pay"] = (parts["admin_expense"] * Decimal(rng.uniform(0.35, 0.6))).quantize(Decimal(1))
    return parts


def _distribution(rng: random.Random, year: int, net_profit: Decimal, opening: Decimal) -> dict[str, Decimal]:
    """The 收益分配 half of a year: last year's balance carried in, and what is drawn from this year's
    净收益 (nothing drawn in a year of loss)."""
    parts = {"opening_undistributed": opening}
    if net_profit > 0:
        parts["reserve_fund"] = (net_profit * Decimal(rng.uniform(0.2, 0.35))).quantize(Decimal(1))
        shared = (net_profit * Decimal(rng.uniform(0.15, 0.4))).quantize(Decimal(1))
        if system_code_for_year(year) == "2023":
            parts["member_distribution"] = shared
        else:
            parts["welfare_fund"] = (net_profit * Decimal(rng.uniform(0.02, 0.05))).quantize(Decimal(1))
            parts["household_distribution"] = shared
    if rng.random() < 0.1:
        parts["other_transfer_in"] = Decimal(rng.randrange(5, 50) * 1000)
    return parts


def _carry_forward(items, rng: random.Random, statements: list[services.YearStatement]) -> None:
    """Add the 收益分配 half to one village's statements (oldest first), each year's 年初未分配收益
    being the year before's 年末未分配收益."""
    opening = Decimal(rng.randrange(0, 40) * 5000)  # what 2019 found on the books
    for statement in statements:
        figures = figures_for((line.item_id, line.amount) for line in statement.lines)
        system = system_code_for_year(statement.year)
        parts = _distribution(rng, statement.year, figures["net_profit"], opening)
        statement.lines += [services.LineInput(item_id=items[(system, code)], amount=amount)
                            for code, amount in parts.items() if amount]
        opening = figures_for((line.item_id, line.amount) for line in statement.lines)["closing_undistributed"]


def _baqiao_statements(items, villages, rng) -> list[services.YearStatement]:
    statements = []
    for name, village in villages["八桥镇"].items():
        for year in DEMO_YEARS:
            total = (Decimal(BAQIAO_2021_TOTAL[name]) * YUAN_PER_WAN * GROWTH[year]).quantize(Decimal(1))
            named = []
            if name in WORKSHOP_VILLAGES and year >= 2021:
                named.append(("contract_remittance", "标准化厂房租金", Decimal(220000), {}))
            if name == "红光村" and year >= 2021:
                named.append(("contract_remittance", "商铺出租（6间）", Decimal(500000), {}))
            if name == "八桥村":
                named.append(("operating_revenue", "企业服务收入", Decimal(800000) * GROWTH[year], {}))
            if name == "利民村":
                named.append(("operating_revenue", "农产品销售", Decimal(2000000) * GROWTH[year] * Decimal("0.6"), {}))
            parts = _split_total(rng, total - sum(a for _, _, a, _ in named), year)
            statements.append(_statement(items, village, year, parts, named))
    return statements


def _with_distributions(items, rng, statements: list[services.YearStatement]) -> list[services.YearStatement]:
    by_village: dict[int, list[services.YearStatement]] = {}
    for statement in statements:
        by_village.setdefault(statement.village.pk, []).append(statement)
    for village_statements in by_village.values():
        _carry_forward(items, rng, sorted(village_statements, key=lambda s: s.year))
    return statements


def _other_statements(items, villages, shares, rng) -> list[services.YearStatement]:
    dividends = {village.pk: (share, company) for company, held in shares.items() for village, share in held}
    companies = {e.name: e.pk for e in Enterprise.objects.filter(kind=Enterprise.Kind.STRONG_VILLAGE_COMPANY)}
    statements = []
    for town_name, town_villages in villages.items():
        if town_name == "八桥镇":
            continue
        for village in town_villages.values():
            # Skewed: most villages are small, a few are rich (万元 of 总收入 in 2021); 扬中市's richer.
            yangzhong = village.code.startswith(YANGZHONG[:6])
            base = rng.lognormvariate(5.1, 0.45) if yangzhong else rng.lognormvariate(3.4, 0.8)
            base = max(base, 8.0)
            trend = rng.uniform(-0.03, 0.12)
            for year in DEMO_YEARS:
                factor = Decimal(str(round((1 + trend) ** (year - 2021), 4)))
                total = (Decimal(str(round(base, 2))) * YUAN_PER_WAN * factor).quantize(Decimal(1))
                named = []
                if village.pk in dividends and year >= 2022:
                    share, company = dividends[village.pk]
                    dividend = Decimal(60000 + 15000 * (year - 2022))
                    named.append(("investment_income", f"{company}分红", dividend,
                                  {"share": share.pk, "enterprise": companies[company]}))
                    total += dividend
                if (town_name, village.name, year) == INVESTMENT_LOSS[:3]:
                    named.append(("investment_income", "村办合作社投资亏损", INVESTMENT_LOSS[3], {}))
                parts = _split_total(rng, total - sum(a for _, _, a, _ in named), year)
                statements.append(_statement(items, village, year, parts, named))
    return statements


def _build_users(summary: DemoSummary) -> None:
    User = get_user_model()
    yangzhong = County.objects.get(code=YANGZHONG)
    baqiao = Town.objects.get(code="321182103000")
    specs = [
        ("baqiao_cadre", "八桥镇会计", UserRole.Role.CADRE, yangzhong, baqiao, False, False),
        ("baqiao_reviewer", "八桥镇审核", UserRole.Role.REVIEWER, yangzhong, baqiao, False, False),
        ("yangzhong_official", "扬中市农业农村局", UserRole.Role.OFFICIAL, yangzhong, None, False, False),
        ("yangzhong_staff", "扬中市经管统计", UserRole.Role.STAFF, yangzhong, None, False, False),
        ("admin", "系统管理员", UserRole.Role.ADMIN, None, None, True, True),
    ]
    # The admin pages for shares, party organisations and enterprises need is_staff and the role's group.
    groups = roles.sync_role_groups()
    for username, full_name, role, county, town, is_staff, is_superuser in specs:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "is_staff": is_staff, "is_superuser": is_superuser})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            summary.users_created += 1
        UserRole.objects.get_or_create(user=user, defaults={"role": role, "county": county, "town": town})
        roles.grant_role_permissions(user, groups=groups)


def load_demo() -> DemoSummary:
    """Create what is missing of the demo world; never changes what exists."""
    summary = DemoSummary()
    rng = random.Random(2021)
    with transaction.atomic():
        villages = _build_hierarchy(summary)
        shares = _build_organisations(villages)
        items = _items()
        statements = _with_distributions(
            items, rng, _baqiao_statements(items, villages, rng) + _other_statements(items, villages, shares, rng))
        existing = set(LedgerYear.objects.values_list("village_id", "year"))
        missing = [s for s in statements if (s.village.pk, s.year) not in existing]
        services.ledger_years_bulk_replace(statements=missing, source="system", reason="演示数据",
                                           initial_status=LedgerYear.Status.APPROVED)
        summary.ledger_years_created = len(missing)
        _build_users(summary)
    return summary
