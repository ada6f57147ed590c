"""The words of ledger files: header labels, the rows and columns that are not line items, and the
catalogue of the accounting systems' lines by the names and 代码 people use for them."""

import re

from ..figures import DERIVED_ROWS
from ..models import AccountingSystem, LineItem, Metric
from ..money import UNIT_CODES, WAN, YUAN
from .cells import clean_text

# Header words, after `clean_label` (no spaces, no parentheses, no numbering).
VILLAGE_WORDS = {"村", "村名", "村名称", "村庄", "村委会", "村居", "村居名称", "行政村", "村别", "村社区", "单位",
                 "单位名称", "村集体", "村集体经济组织", "村级组织", "名称", "村委会名称"}
CODE_WORDS = {"区划代码", "统计用区划代码", "代码", "村代码", "行政区划代码", "编码", "村编码", "区划编码"}
TOWN_WORDS = {"乡镇", "镇", "乡", "乡镇街道", "镇街道", "镇街", "街道", "乡镇名称", "所属乡镇"}
YEAR_WORDS = {"年度", "年份", "年", "会计年度"}
ITEM_WORDS = {"科目", "科目名称", "会计科目", "收支科目", "项目类别", "指标", "指标名称"}
# The line's 代码 (2004 system: the national 收益分配统计表's 1–21; 2023 system: the statement's 行次 1–20),
# in a long layout instead of (or beside) 科目. A plain “代码” column is this when its cells are small
# numbers, and a village's 区划代码 otherwise.
LINE_CODE_WORDS = {"科目代码", "指标代码", "项目代码", "行次", "栏次", "代码行次", "统计代码"}
AMBIGUOUS_CODE_WORDS = {"代码", "编码", "编号"}
MAX_LINE_CODE = 28  # 附报 22–28 are counts of villages, not amounts of one village
LINE_NAME_WORDS = {"项目", "明细项目", "项目名称", "明细", "摘要", "明细名称"}
AMOUNT_WORDS = {"金额", "本年数", "本年金额", "本年累计数", "数额", "发生额", "本年发生额", "本年累计", "金额数", "本期金额"}
NOTE_WORDS = {"备注", "说明"}
# Columns and rows that belong to the form but are not line items: read past them.
# Headers over groups of columns (收入, 支出 …) and the row numbers of the form: a column under one of
# these with numbers in it is refused, not read past (it is not a line, and its numbers would be lost).
IGNORED_WORDS = {"序号", "行次", "栏次", "编号", "村书记", "负责人", "收入", "支出", "其中", "收益分配", "分配", "减", "加"}
ROW_NUMBER_WORDS = {"序号", "行次", "栏次", "编号"}  # numbered rows, not amounts
# Columns that hold numbers but are not lines of the 收益分配表 (people, households, assets, last year):
# read past, and named as not imported (未导入) on the preview and in the command's output.
NON_LINE_WORDS = {
    "人口", "总人口", "户籍人口", "常住人口", "人口数", "户数", "总户数", "农户数", "户籍户数", "劳动力", "劳动力数",
    "成员数", "集体经济组织成员数", "村民小组数", "组数", "小组数", "面积", "耕地面积", "土地面积", "村域面积",
    "资产总额", "负债总额", "所有者权益", "净资产", "年末资产", "经营性资产", "货币资金", "联系电话", "电话",
    "手机", "邮编", "上年数", "上年金额", "上年同期", "上年累计数", "上期金额", "上年", "同比", "增减",
    "增减额", "增长率", "比上年增减", "增减%", "同比增长",
}
# A row of column numbers under the header (甲 乙 1 2 3 …), as the national form prints it.
CODE_ROW_MARKS = {"甲", "乙", "丙", "丁", "栏次", "代码", "行次", "a", "b", "A", "B"}
# “其他” under a group header is that group's line (收入 → 其他收入 …); alone it is 各项分配's 其他.
OTHER_LABELS = {"其他", "其它"}
OTHER_BY_GROUP = (("转入", "其他转入"), ("收入", "其他收入"), ("支出", "其他支出"), ("分配", "其他"))
# Derived figures people put in their tables, checked against the items and never stored.
DERIVED_ALIASES = {"收入合计": "total_income", "总收入": "total_income", "经营性收入": "operating_income",
                   "支出合计": "total_expense", "总支出": "total_expense", "经营收益": "operating_profit",
                   "本年收益": "net_income", "收益总额": "net_income", "本年收益总额": "net_income",
                   "净收益": "net_profit", "本年净收益": "net_profit", "各项分配合计": "distributions",
                   "可供分配收益": "distributable", "年末未分配": "closing_undistributed"}
TOTAL_RE = re.compile(r"(合计|小计|总计|汇总|全镇|全乡|全县|全市|累计)")
FOOTER_RE = re.compile(r"^(填表人|填报人|制表人|审核人|审核|复核人|负责人|单位负责人|分管领导|主管|站长|经办人|"
                       r"填表日期|填报日期|制表日期|报送日期|日期|联系电话|电话|注[:：]|说明[:：]|备注[:：])")
UNIT_RE = re.compile(r"单位[:：]?(万元|千元|亿元|元)")
YEAR_CELL_RE = re.compile(r"(?:年度|年份)[:：]?((?:19|20)\d{2})")
YEAR_TITLE_RE = re.compile(r"((?:19|20)\d{2})年")
PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕")
NUMBERING_RE = re.compile(r"^(?:[0-9]+|[一二三四五六七八九十]+)[、.)]|^(?:其中|减|加)[:：]")


def clean_label(value) -> tuple[str, str | None]:
    """A header cell → (label without spaces, numbering and parentheses; unit it states or None)."""
    text = re.sub(r"\s+", "", clean_text(value))
    unit = None
    if "万元" in text:
        unit = WAN
    elif match := re.search(r"千元|亿元", text):  # statistical tables' units: read in them, not in 元
        unit = UNIT_CODES[match.group(0)]
    elif re.search(r"[(\[【]元[)\]】]|单位:?元|\(元\)$", text):
        unit = YUAN
    text = PAREN_RE.sub("", text)
    text = NUMBERING_RE.sub("", text)
    text = text.replace("万元", "").rstrip(":：")
    return text, unit


class Catalog:
    """The accounting systems, their items and the item names people type, loaded once per import."""

    def __init__(self):
        self.systems = list(AccountingSystem.objects.all())
        self.items: dict[tuple[int, str], LineItem] = {}
        self.code_by_name: dict[str, str] = {}
        for item in LineItem.objects.all():
            self.items[(item.system_id, item.code)] = item
            for name in [item.name, *re.split(r"[、,，;；/]", item.aliases)]:
                label, _ = clean_label(name)
                if label:
                    self.code_by_name.setdefault(label, item.code)
        self.derived = dict(DERIVED_ALIASES)
        for code, name in Metric.objects.values_list("code", "name"):
            self.derived.setdefault(clean_label(name)[0], code)
        for rows in DERIVED_ROWS.values():
            for row in rows:
                self.derived.setdefault(clean_label(row.name)[0], row.metric)
        self.metric_names = dict(Metric.objects.values_list("code", "name"))
        self._system_by_year: dict[int, AccountingSystem | None] = {}
        # What each system's 代码 stand for: ("item", item code) or ("derived", metric code). The 2004
        # system's are the national 收益分配统计表's (`form_code`, its derived rows on their 代码); the
        # 2023 system's are its statement's 行次.
        self.by_line_code: dict[tuple[int, int], tuple[str, str]] = {}
        self.derived_names: dict[tuple[int, str], str] = {}  # (system id, metric) → the statement's name
        for system in self.systems:
            items = [item for (system_id, _), item in self.items.items() if system_id == system.pk]
            with_form_codes = any(item.form_code for item in items)
            for item in items:
                number = item.form_code if with_form_codes else item.line_number
                if number:
                    self.by_line_code[(system.pk, number)] = ("item", item.code)
            for row in DERIVED_ROWS.get(system.code, ()):
                self.by_line_code[(system.pk, row.line_number)] = ("derived", row.metric)
                self.derived_names[(system.pk, row.metric)] = row.name

    def system_for(self, year: int) -> AccountingSystem | None:
        if year not in self._system_by_year:
            self._system_by_year[year] = next(
                (s for s in self.systems if s.first_year <= year and (s.last_year is None or year <= s.last_year)),
                None,
            )
        return self._system_by_year[year]

    def item_code(self, label: str) -> str | None:
        return self.code_by_name.get(label)

    def derived_code(self, label: str) -> str | None:
        # An item name wins: 投资收益 is both an item and a figure, and is stored as the item.
        return None if label in self.code_by_name else self.derived.get(label)

    def metric_name(self, metric: str, system_id: int | None) -> str:
        """The figure as the year's statement calls it (收益总额 in 2024, 本年收益 before)."""
        return self.derived_names.get((system_id, metric)) or self.metric_names.get(metric, metric)
