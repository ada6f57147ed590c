"""The two accounting systems of village collectives and the policy figures, as data.

The data itself is `fixtures/accounting_systems.json`; this module reads it once, on import, and
hands it out in the shapes the rest of the code uses (no database needed). The data migration loads
it into `AccountingSystem`, `LineItem`, `Metric` and `MetricTerm` (`sync_reference_data`).

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

import json
from pathlib import Path
from typing import NamedTuple

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
REFERENCE_DATA = FIXTURES_DIR / "accounting_systems.json"


class ItemSpec(NamedTuple):
    code: str
    name: str  # 科目
    line_number: int  # 行次
    kind: str  # income | expense
    aliases: str  # spellings people type, separated by 、


class MetricSpec(NamedTuple):
    name: str
    description: str  # 口径
    terms: dict[str, dict[str, int]]  # {system code: {item code: sign}}


def _read(path: Path = REFERENCE_DATA) -> tuple[list[dict], dict[str, MetricSpec]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    systems = [
        {**{key: spec[key] for key in ("code", "name", "document", "first_year", "last_year")},
         "items": [ItemSpec(**item) for item in spec["items"]]}
        for spec in data["systems"]
    ]
    metrics = {spec["code"]: MetricSpec(spec["name"], spec["description"], spec["terms"])
               for spec in data["metrics"]}
    return systems, metrics


# SYSTEMS: [{code, name, document, first_year, last_year, items: [ItemSpec]}], oldest first.
# METRICS: {metric code: MetricSpec}, in the order the statement and the exports show them.
SYSTEMS, METRICS = _read()
SYSTEMS_BY_CODE: dict[str, dict] = {spec["code"]: spec for spec in SYSTEMS}
SYSTEM_2004_ITEMS: list[ItemSpec] = SYSTEMS_BY_CODE["2004"]["items"]
SYSTEM_2023_ITEMS: list[ItemSpec] = SYSTEMS_BY_CODE["2023"]["items"]


def system_code_for_year(year: int) -> str | None:
    """The code of the accounting system in force in `year` ("2004" through 2023, "2023" from 2024),
    or None before the first one. The one answer to that question; `AccountingSystem.for_year` uses it."""
    for spec in SYSTEMS:
        if spec["first_year"] <= year and (spec["last_year"] is None or year <= spec["last_year"]):
            return spec["code"]
    return None


def sync_reference_data(apps) -> None:
    """Create or update the systems, items, metrics and terms of the fixture (used by data migrations).

    `apps` is the migration's app registry, so this runs against the models as they were when the
    calling migration was written; the fixture must name only fields those models have.
    """
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
        for item_spec in spec["items"]:
            item, _ = LineItem.objects.update_or_create(
                system=system, code=item_spec.code,
                defaults={"name": item_spec.name, "line_number": item_spec.line_number, "kind": item_spec.kind,
                          "aliases": item_spec.aliases},
            )
            items[(spec["code"], item_spec.code)] = item
    for order, (code, metric_spec) in enumerate(METRICS.items()):
        metric, _ = Metric.objects.update_or_create(
            code=code, defaults={"name": metric_spec.name, "description": metric_spec.description, "order": order}
        )
        wanted = set()
        for system_code, terms in metric_spec.terms.items():
            for item_code, sign in terms.items():
                item = items[(system_code, item_code)]
                MetricTerm.objects.update_or_create(metric=metric, item=item, defaults={"sign": sign})
                wanted.add(item.pk)
        MetricTerm.objects.filter(metric=metric).exclude(item_id__in=wanted).delete()
