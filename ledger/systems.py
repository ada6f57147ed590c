"""The two accounting systems of village collectives and the policy figures, as data.

The data itself is `fixtures/accounting_systems.json`; this module reads it once, on import, and
hands it out in the shapes the rest of the code uses (no database needed). The data migrations load
it into `AccountingSystem`, `LineItem`, `Metric` and `MetricTerm` (`sync_reference_data`).

Sources used:
- 《村集体经济组织会计制度》财会〔2004〕12号 (财政部 2004-09-30, in force from 2005-01-01; it replaced the
  1996《村合作经济组织会计制度（试行）》). 科目: 501 经营收入, 502 经营支出, 511 发包及上交收入,
  521 农业税附加返还收入, 522 补助收入, 531 其他收入, 541 管理费用, 551 其他支出, 561 投资收益 (a net loss
  goes to the debit of 本年收益), 322 收益分配 with 322001 未分配收益 and 322002 各项分配 (32200201
  提取公积公益金, 32200202 提取应付福利费, 32200203 外来投资分利, 32200204 农户分配, 32200205 其他). Its
  收益及收益分配表: 经营收入 + 发包及上交收入 + 投资收益 − 经营支出 − 管理费用 = 经营收益; + 农业税附加返还收入
  + 补助收入 + 其他收入 − 其他支出 = 本年收益; + 年初未分配收益 + 其他转入 = 可分配收益; − 各项分配 =
  年末未分配收益. In force through 2023.
- 农业部办公厅关于布置2008年农村集体经济统计报表制度的通知 (国统制〔2008〕27号), 表（六）村集体经济组织
  收益分配统计表: 代码 1 经营收入, 2 发包及上交收入, 3 投资收益, 4 经营支出, 5 管理费用, 6 其中：干部报酬,
  7 经营收益, 8 补助收入, 9 其他收入, 10 其他支出, 11 本年收益, 12 年初未分配收益, 13 其他转入,
  14 可分配收益, 15 各项分配, 16 提取公积公益金, 17 提取应付福利费, 18 外来投资分利, 19 农户分配, 20 其他,
  21 年末未分配收益; 附报 22 汇入本表村数, 23 当年无收益的村, 24 当年有收益的村, 25 其中：有集体经营收益的村,
  26 集体收益5万元以下的村, 27 5-10万元, 28 10万元以上. 平衡关系 7=1+2+3−4−5, 11=7+8+9−10, 14=11+12+13,
  15=16+…+20, 21=14−15, 22=23+24, 25=26+27+28. The 2004 system's line numbers here are these 代码
  (`form_code`); 农业税附加返还收入 has none (the 统计表 reports it inside 8 补助收入; the 会计制度's own
  statement adds it to 本年收益, and so do we), so it is row 7 in order only, after 经营收益.
- 《农村集体经济组织会计制度》财会〔2023〕14号 (财政部, 2023-09-25, in force from 2024-01-01), its
  收益及收益分配表: 1 经营收入; 减 2 经营支出, 3 税金及附加, 4 管理费用; 加 5 投资收益（损失以“-”号填列）;
  6 经营收益; 加 7 补助收入, 8 其他收入; 减 9 公益支出, 10 其他支出; 11 收益总额; 减 12 所得税费用;
  13 净收益; 加 14 年初未分配收益, 15 其他转入; 16 可分配收益; 减 17 提取公积公益金, 18 向成员分配收益,
  19 其他; 20 年末未分配收益. The release notes (财政部会计司, 央视新闻 2023-09-25) say 发包及上交收入 is
  folded into 经营收入 and 投资收益 by its substance (so those two lines carry `definition_changed`),
  公益支出, 税金及附加, 所得税费用 are new accounts, and 应付福利费 is dropped.

Items are the lines people enter; the derived rows (经营收益, 本年收益 …) are metrics, placed on the
statement by each system's `derived` list. 经营性收入 = 经营收入 + 发包及上交收入 + 投资收益 (2004) =
经营收入 + 投资收益 (2023 system): the same money under both. Across the change 2004's 本年收益 is pre-tax,
so it compares with the 2023 system's 收益总额 (the figure `net_income`, 「本年收益（收益总额）」); 净收益
(`net_profit`) is 收益总额 − 所得税费用, and equals 本年收益 before 2024.
"""

import json
from pathlib import Path
from typing import NamedTuple

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
REFERENCE_DATA = FIXTURES_DIR / "accounting_systems.json"


class ItemSpec(NamedTuple):
    code: str
    name: str  # 科目
    line_number: int  # 行次: the row of the statement, which orders it
    kind: str  # income | expense | memo (其中) | carried | distribution
    aliases: str  # spellings people type, separated by 、
    form_code: int | None = None  # 代码 of the national 收益分配统计表, where the line has one
    may_be_negative: bool = False  # 投资收益 (a loss), 年初未分配收益 (an accumulated loss)
    part_of: str | None = None  # a 其中 line: the item code it is part of (never added again)
    definition_changed: bool = False  # holds more than the same-named line of the previous system


class DerivedSpec(NamedTuple):
    """A derived row of a system's statement (经营收益, 本年收益 …): the metric that computes it."""

    metric: str
    name: str  # as this system's statement calls it (本年收益 / 收益总额)
    line_number: int


class MetricSpec(NamedTuple):
    name: str
    description: str  # 口径
    terms: dict[str, dict[str, int]]  # {system code: {item code: sign}}


def _read(path: Path = REFERENCE_DATA) -> tuple[list[dict], dict[str, MetricSpec]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    systems = [
        {**{key: spec[key] for key in ("code", "name", "document", "first_year", "last_year")},
         "items": [ItemSpec(**item) for item in spec["items"]],
         "derived": [DerivedSpec(**row) for row in spec.get("derived", ())],
         "folded_in": tuple(spec.get("folded_in", ()))}
        for spec in data["systems"]
    ]
    metrics = {spec["code"]: MetricSpec(spec["name"], spec["description"], spec["terms"])
               for spec in data["metrics"]}
    return systems, metrics


# SYSTEMS: [{code, name, document, first_year, last_year, items: [ItemSpec], derived: [DerivedSpec],
#            folded_in: (item codes of the previous system booked in this one's definition_changed lines)}],
# oldest first.
# METRICS: {metric code: MetricSpec}, in the order the statement and the exports show them.
SYSTEMS, METRICS = _read()
SYSTEMS_BY_CODE: dict[str, dict] = {spec["code"]: spec for spec in SYSTEMS}
SYSTEM_2004_ITEMS: list[ItemSpec] = SYSTEMS_BY_CODE["2004"]["items"]
SYSTEM_2023_ITEMS: list[ItemSpec] = SYSTEMS_BY_CODE["2023"]["items"]


# The first year any system covers (2005); before it the 1996 试行 system applied, which is not encoded.
FIRST_YEAR: int = min(spec["first_year"] for spec in SYSTEMS)
PRE_SYSTEM_MESSAGE = ("2005 年以前适用《村合作经济组织会计制度（试行）》（1996 年），本系统不支持该年度的账目。")


def year_problem(year: int) -> str | None:
    """Why the accounts of `year` cannot be kept here (a Chinese message), or None. Every path that
    takes a year of accounts (the entry page, the services, the import's check) asks this."""
    if year < FIRST_YEAR:
        return PRE_SYSTEM_MESSAGE
    if system_code_for_year(year) is None:
        return f"{year} 年没有适用的会计制度。"
    return None


def system_code_for_year(year: int) -> str | None:
    """The code of the accounting system in force in `year` ("2004" through 2023, "2023" from 2024),
    or None before the first one. The one answer to that question; `AccountingSystem.for_year` uses it."""
    for spec in SYSTEMS:
        if spec["first_year"] <= year and (spec["last_year"] is None or year <= spec["last_year"]):
            return spec["code"]
    return None


def _as_then(field, value):
    """`value` for the field as a migration's model had it: a kind that model did not know yet (其中,
    分配 …) is stored as its first kind, and the migration that added the kind syncs again."""
    choices = [choice for choice, _ in field.choices or ()]
    return choices[0] if choices and value not in choices else value


def sync_reference_data(apps) -> None:
    """Create or update the systems, items, metrics and terms of the fixture (used by data migrations).

    `apps` is the migration's app registry, so this runs against the models as they were when the
    calling migration was written: a field the fixture has and that model has not (yet) is left out,
    and a later migration calls this again once the field exists.
    """
    AccountingSystem = apps.get_model("ledger", "AccountingSystem")
    LineItem = apps.get_model("ledger", "LineItem")
    Metric = apps.get_model("ledger", "Metric")
    MetricTerm = apps.get_model("ledger", "MetricTerm")
    item_fields = {f.name: f for f in LineItem._meta.get_fields()}

    items = {}
    for spec in SYSTEMS:
        system, _ = AccountingSystem.objects.update_or_create(
            code=spec["code"],
            defaults={k: spec[k] for k in ("name", "document", "first_year", "last_year")},
        )
        for item_spec in spec["items"]:
            values = {k: _as_then(item_fields[k], v) for k, v in item_spec._asdict().items()
                      if k in item_fields and k not in ("code", "part_of")}
            item, _ = LineItem.objects.update_or_create(system=system, code=item_spec.code, defaults=values)
            items[(spec["code"], item_spec.code)] = item
        if "part_of" in item_fields:
            for item_spec in spec["items"]:
                item = items[(spec["code"], item_spec.code)]
                part_of = items[(spec["code"], item_spec.part_of)] if item_spec.part_of else None
                if item.part_of_id != getattr(part_of, "pk", None):
                    item.part_of = part_of
                    item.save(update_fields=["part_of"])
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
