"""The two accounting systems of village collectives and the policy figures, as data.

Sources used:
- 《村集体经济组织会计制度》财会〔2004〕12号, 附件 收益及收益分配表; line numbers as in the national
  农经统计 form (DOMAIN.md): 1 经营收入, 2 发包及上交收入, 3 投资收益, 4 经营支出, 5 管理费用,
  7 经营收益, 8 补助收入, 9 其他收入, 10 其他支出, 11 本年收益. In force through 2023.
- 《农村集体经济组织会计制度》财会〔2023〕14号 (财政部, 2023-09-25, in force from 2024-01-01), its
  收益及收益分配表: 经营收入; 减 经营支出, 税金及附加, 管理费用; 加 投资收益 → 经营收益; 加 补助收入,
  其他收入; 减 公益支出, 其他支出 → 收益总额; 减 所得税费用 → 净收益. The release notes (财政部会计司,
  央视新闻 2023-09-25) say 发包及上交收入 is folded into 经营收入 and 投资收益 by its substance, and
  公益支出, 税金及附加, 所得税费用 are new accounts; 应付福利费 is dropped (a distribution row, not
  an income-statement line, so it does not appear here).

Only the income-statement lines are items; 经营收益/本年收益 and the distribution rows are derived.
经营性收入 = 经营收入 + 发包及上交收入 + 投资收益 (2004) = 经营收入 + 投资收益 (2023 system): the
same money under both, since the old 发包及上交收入 moved into those two, so rankings across 2023→2025
compare like with like. The 2023 system's 净收益 (after 所得税费用) is its 本年收益.
"""

# (code, name, line number on the statement, kind, aliases people type)
SYSTEM_2004_ITEMS = [
    ("operating_revenue", "经营收入", 1, "income", "经营收入合计"),
    ("contract_remittance", "发包及上交收入", 2, "income", "发包及上交、发包上交收入、发包收入、上交收入、承包及上交收入"),
    ("investment_income", "投资收益", 3, "income", "投资收入、投资收益（分红）"),
    ("operating_expense", "经营支出", 4, "expense", "经营成本"),
    ("admin_expense", "管理费用", 5, "expense", "管理费、管理支出"),
    ("subsidy_income", "补助收入", 8, "income", "补助、财政补助收入、补贴收入"),
    ("other_income", "其他收入", 9, "income", "其它收入"),
    ("other_expense", "其他支出", 10, "expense", "其它支出"),
]

SYSTEM_2023_ITEMS = [
    ("operating_revenue", "经营收入", 1, "income", "经营收入合计"),
    ("operating_expense", "经营支出", 2, "expense", "经营成本"),
    ("taxes_surcharges", "税金及附加", 3, "expense", "税金及附加费、税费及附加"),
    ("admin_expense", "管理费用", 4, "expense", "管理费、管理支出"),
    ("investment_income", "投资收益", 5, "income", "投资收入、投资收益（分红）"),
    ("subsidy_income", "补助收入", 7, "income", "补助、财政补助收入、补贴收入"),
    ("other_income", "其他收入", 8, "income", "其它收入"),
    ("public_welfare_expense", "公益支出", 9, "expense", "公益性支出"),
    ("other_expense", "其他支出", 10, "expense", "其它支出"),
    ("income_tax", "所得税费用", 12, "expense", "所得税"),
]

SYSTEMS = [
    {
        "code": "2004",
        "name": "村集体经济组织会计制度",
        "document": "财会〔2004〕12号",
        "first_year": 2000,
        "last_year": 2023,
        "items": SYSTEM_2004_ITEMS,
    },
    {
        "code": "2023",
        "name": "农村集体经济组织会计制度",
        "document": "财会〔2023〕14号",
        "first_year": 2024,
        "last_year": None,
        "items": SYSTEM_2023_ITEMS,
    },
]

_OPERATING_2004 = {"operating_revenue": 1, "contract_remittance": 1, "investment_income": 1}
_OPERATING_2023 = {"operating_revenue": 1, "investment_income": 1}
_PROFIT_2004 = {**_OPERATING_2004, "operating_expense": -1, "admin_expense": -1}
_PROFIT_2023 = {**_OPERATING_2023, "operating_expense": -1, "taxes_surcharges": -1, "admin_expense": -1}

# code: (name, description, {system code: {item code: sign}})
METRICS = {
    "total_income": (
        "总收入", "经营收入+发包及上交收入+投资收益+补助收入+其他收入（2024年起无发包及上交收入）",
        {"2004": {**_OPERATING_2004, "subsidy_income": 1, "other_income": 1},
         "2023": {**_OPERATING_2023, "subsidy_income": 1, "other_income": 1}},
    ),
    "operating_income": (
        "经营性收入", "经营收入+发包及上交收入+投资收益，不含补助收入",
        {"2004": _OPERATING_2004, "2023": _OPERATING_2023},
    ),
    "investment_income": (
        "投资收益", "对外投资取得的分红、利润、利息",
        {"2004": {"investment_income": 1}, "2023": {"investment_income": 1}},
    ),
    "subsidy_income": (
        "补助收入", "财政等补助",
        {"2004": {"subsidy_income": 1}, "2023": {"subsidy_income": 1}},
    ),
    "total_expense": (
        "总支出", "全部支出科目之和",
        {"2004": {"operating_expense": 1, "admin_expense": 1, "other_expense": 1},
         "2023": {"operating_expense": 1, "taxes_surcharges": 1, "admin_expense": 1,
                  "public_welfare_expense": 1, "other_expense": 1, "income_tax": 1}},
    ),
    "operating_profit": (
        "经营收益", "经营性收入−经营支出−管理费用（2024年起另减税金及附加）",
        {"2004": _PROFIT_2004, "2023": _PROFIT_2023},
    ),
    "net_income": (
        "本年收益", "经营收益+补助收入+其他收入−其他支出（2024年起另减公益支出、所得税费用，即净收益）",
        {"2004": {**_PROFIT_2004, "subsidy_income": 1, "other_income": 1, "other_expense": -1},
         "2023": {**_PROFIT_2023, "subsidy_income": 1, "other_income": 1, "public_welfare_expense": -1,
                  "other_expense": -1, "income_tax": -1}},
    ),
}


def sync_reference_data(apps) -> None:
    """Create or update the systems, items, metrics and terms above (used by a data migration)."""
    AccountingSystem = apps.get_model("ledger", "AccountingSystem")
    LineItem = apps.get_model("ledger", "LineItem")
    Metric = apps.get_model("ledger", "Metric")
    MetricTerm = apps.get_model("ledger", "MetricTerm")

    items = {}
    for spec in SYSTEMS:
        system, _ = AccountingSystem.objects.update_or_create(
            code=spec["code"],
            defaults={k: spec[k] for k in ("name", "document", "first_year", "last_year")},
        )
        for code, name, line_number, kind, aliases in spec["items"]:
            item, _ = LineItem.objects.update_or_create(
                system=system, code=code,
                defaults={"name": name, "line_number": line_number, "kind": kind, "aliases": aliases},
            )
            items[(spec["code"], code)] = item
    for order, (code, (name, description, per_system)) in enumerate(METRICS.items()):
        metric, _ = Metric.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )
        wanted = set()
        for system_code, terms in per_system.items():
            for item_code, sign in terms.items():
                item = items[(system_code, item_code)]
                MetricTerm.objects.update_or_create(metric=metric, item=item, defaults={"sign": sign})
                wanted.add(item.pk)
        MetricTerm.objects.filter(metric=metric).exclude(item_id__in=wanted).delete()
