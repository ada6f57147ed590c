"""Yearly accounts of village collectives (收益及收益分配), the accounting systems that define their
line items, the joint-stock shares villages hold, and each village-year's summary figures.

The accounting systems and the definitions of the policy figures (总收入, 经营性收入 …) are data
(`AccountingSystem`, `LineItem`, `Metric`, `MetricTerm`), loaded by a data migration, so that a 2023
ledger (2004 system) and a 2025 ledger (2023 system) each carry their own items and still compare
like with like. `LedgerYear` keeps the figures of its lines; `ledger.services` is the only writer and
keeps them true.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from villages.models import County, Enterprise, Town, Village

from .figures import FIGURES, NON_NEGATIVE_FIGURES
from .money import MAX_FIGURE, MAX_LINE_AMOUNT, chinese_amount
from .systems import FIRST_YEAR, system_code_for_year
from .years import MAX_YEAR, MIN_YEAR

MONEY = {"max_digits": 16, "decimal_places": 2}  # 元; what a line or a figure may hold is less (ledger.money)


def year_field(verbose_name: str = "年度", **kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)], **kwargs
    )


class LeanHistoricalRecords(HistoricalRecords):
    """django-simple-history with only the indexes that pages read history by.

    By default every copied field, `history_date` and `history_user` get an index on the history
    table. An import writes one history row per line (100,000 in one go), and every index makes each
    of those rows slower to write (about 0.1 s per index per 100,000 rows on PostgreSQL), while the
    pages only ever look history up by the fields named in `indexed`. Without the other indexes,
    deleting a user (SET NULL on `history_user`) scans the history table; users are deactivated,
    not deleted, in practice.
    """

    def __init__(self, *, indexed: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.indexed = frozenset(indexed)

    _date_indexing = False  # the base class's setting-driven property: no index on history_date

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in fields.items():
            field.db_index = name in self.indexed
        return fields

    # `user_db_constraint=False` on the models below: no foreign-key check per history row (100,000
    # per import, checked one by one at commit) for a column that names who made the change; users
    # are deactivated, not deleted, and a deletion still sets it to NULL through Django.
    def _get_history_user_fields(self):
        fields = super()._get_history_user_fields()
        fields["history_user"].db_index = False
        return fields


class AccountingSystem(models.Model):
    """会计制度: which line items a year's statement has."""

    code = models.CharField("代码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=100)
    document = models.CharField("文号", max_length=50)
    first_year = year_field("起始年度")
    last_year = year_field("终止年度", null=True, blank=True)

    class Meta:
        verbose_name = "会计制度"
        verbose_name_plural = "会计制度"
        ordering = ["first_year"]

    def __str__(self) -> str:
        return f"{self.name}（{self.document}）"

    @classmethod
    def for_year(cls, year: int) -> "AccountingSystem":
        """The system in force in `year` (`ledger.systems.system_code_for_year`); DoesNotExist before 2000."""
        code = system_code_for_year(year)
        if code is None:
            raise cls.DoesNotExist(f"no accounting system for {year}")
        return cls.objects.get(code=code)


class LineItem(models.Model):
    """One line of the 收益及收益分配表 in one accounting system (经营收入, 管理费用 …)."""

    class Kind(models.TextChoices):
        INCOME = "income", "收入"
        EXPENSE = "expense", "支出"
        MEMO = "memo", "其中项"  # part of another line (其中：干部报酬), never added again
        CARRIED = "carried", "结转"  # 年初未分配收益, 其他转入
        DISTRIBUTION = "distribution", "分配"  # a line of 各项分配

    system = models.ForeignKey(AccountingSystem, verbose_name="会计制度", on_delete=models.PROTECT,
                               related_name="items")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("科目", max_length=30)
    line_number = models.PositiveSmallIntegerField("行次")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    aliases = models.CharField("常见写法", max_length=200, blank=True,
                               help_text="导入时也认得的名称，用顿号或逗号分隔")
    form_code = models.PositiveSmallIntegerField("统计表代码", null=True, blank=True,
                                                 help_text="全国农村集体经济收益分配统计表的代码（有则填）")
    # 投资收益 (a loss) and 年初未分配收益 (an accumulated loss); every other line is ≥ 0. The database
    # checks it per line (trigger ledger_line_amount_sign, migration 0009).
    may_be_negative = models.BooleanField("可为负数", default=False)
    # No index: a few dozen rows (and adding one to a table that has rows pending a self-referencing
    # foreign-key check fails on PostgreSQL inside the migration).
    part_of = models.ForeignKey("self", verbose_name="所属科目", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="parts", db_index=False, help_text="“其中”行所属的科目；其中行不计入任何合计")
    # Holds more than the same-named line of the previous system (2024's 经营收入 and 投资收益 took in
    # the old 发包及上交收入): not compared line against line across the change.
    definition_changed = models.BooleanField("口径已变", default=False)

    class Meta:
        verbose_name = "科目"
        verbose_name_plural = "科目"
        ordering = ["system", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="line_item_code_unique"),
            models.UniqueConstraint(fields=["system", "name"], name="line_item_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_distribution_half(self) -> bool:
        """On the 收益分配 half of the statement (年初未分配收益 and below)."""
        return self.kind in (self.Kind.CARRIED, self.Kind.DISTRIBUTION)


class Metric(models.Model):
    """A policy figure (总收入, 经营性收入 …). Its code names the `LedgerYear` field that keeps it."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=30)
    description = models.CharField("口径", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "统计指标"
        verbose_name_plural = "统计指标"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class MetricTerm(models.Model):
    """One item's contribution (+ or −) to a metric, within the item's accounting system."""

    metric = models.ForeignKey(Metric, verbose_name="指标", on_delete=models.CASCADE, related_name="terms")
    item = models.ForeignKey(LineItem, verbose_name="科目", on_delete=models.CASCADE, related_name="metric_terms")
    sign = models.SmallIntegerField("加减", choices=[(1, "加"), (-1, "减")])

    class Meta:
        verbose_name = "指标构成"
        verbose_name_plural = "指标构成"
        constraints = [
            models.UniqueConstraint(fields=["metric", "item"], name="metric_term_unique"),
            models.CheckConstraint(condition=Q(sign__in=[1, -1]), name="metric_term_sign"),
        ]

    def __str__(self) -> str:
        return f"{self.metric}: {'+' if self.sign > 0 else '−'}{self.item}"


class Share(models.Model):
    """入股: a village's stake (money, land, buildings) in an enterprise or project."""

    class Kind(models.TextChoices):
        MONEY = "money", "资金"
        LAND = "land", "土地"
        BUILDING = "building", "房屋/厂房"
        OTHER = "other", "其他"

    holder = models.ForeignKey(Village, verbose_name="持股村", on_delete=models.PROTECT, related_name="shares")
    enterprise = models.ForeignKey(Enterprise, verbose_name="入股企业/项目", on_delete=models.PROTECT,
                                   related_name="shares")
    kind = models.CharField("入股方式", max_length=10, choices=Kind.choices, default=Kind.MONEY)
    amount = models.DecimalField("入股金额（元）", **MONEY, null=True, blank=True)
    percentage = models.DecimalField("持股比例（%）", max_digits=5, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(0), MaxValueValidator(100)])
    start_year = year_field("起始年度")
    end_year = year_field("终止年度", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "入股（股份）"
        verbose_name_plural = "入股（股份）"
        ordering = ["holder", "enterprise", "start_year"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=False) | Q(percentage__isnull=False),
                                   name="share_amount_or_percentage"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="share_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | Q(percentage__gte=0, percentage__lte=100),
                name="share_percentage_0_100",
            ),
            models.CheckConstraint(condition=Q(start_year__gte=MIN_YEAR, start_year__lte=MAX_YEAR),
                                   name="share_start_year_range"),
            models.CheckConstraint(condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                                   name="share_end_after_start"),
            models.UniqueConstraint(fields=["holder", "enterprise", "start_year"], name="share_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.holder} → {self.enterprise}"

    def covers(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)


class LedgerYear(models.Model):
    """One village's accounts for one year: its workflow state and the figures of its lines.

    The figure fields are named after `Metric.code` and are kept true by `ledger.services` on every
    write; rankings read them instead of summing millions of lines.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        APPROVED = "approved", "已审核"
        # Sent back by the reviewer with a reason: entered again like a draft, then submitted again.
        RETURNED = "returned", "已退回"

    # The states in which the amounts may be written (by the form, the admin, an import).
    OPEN_STATUSES = (Status.DRAFT, Status.RETURNED)
    FIGURES = FIGURES

    # No index of its own: the unique (village, year) index starts with it.
    village = models.ForeignKey(Village, verbose_name="村", on_delete=models.PROTECT, related_name="ledger_years",
                                db_index=False)
    # From 2005: before it the 1996 试行 system applied, which is not encoded (ledger.systems.year_problem).
    year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(MAX_YEAR)])
    # Every index on this table is paid by every import (12,500 new years per 100,000 lines), so the
    # foreign keys that no page filters by alone have none: accounting systems and users are never
    # deleted while years refer to them (a deletion would scan), and the town and county ones are
    # the leading columns of the league-table indexes in Meta.indexes.
    system = models.ForeignKey(AccountingSystem, verbose_name="会计制度", on_delete=models.PROTECT,
                               related_name="ledger_years", db_index=False)
    # The village's town and county, kept here so that league tables are one indexed scan.
    town = models.ForeignKey(Town, verbose_name="乡镇", on_delete=models.PROTECT, related_name="ledger_years",
                             db_index=False)
    county = models.ForeignKey(County, verbose_name="县（市、区）", on_delete=models.PROTECT,
                               related_name="ledger_years", db_index=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Bumped on every change; a save that started from an older version is refused (no lost updates).
    version = models.PositiveIntegerField("版本", default=1)

    total_income = models.DecimalField("总收入（元）", **MONEY, default=0)  # 总收入
    operating_income = models.DecimalField("经营性收入（元）", **MONEY, default=0)  # 经营性收入
    investment_income = models.DecimalField("投资收益（元）", **MONEY, default=0)
    subsidy_income = models.DecimalField("补助收入（元）", **MONEY, default=0)
    total_expense = models.DecimalField("总支出（元）", **MONEY, default=0)  # 总支出
    operating_profit = models.DecimalField("经营收益（元）", **MONEY, default=0)  # 经营收益, may be negative
    # 2004 system: 本年收益; 2023 system: 收益总额 (before 所得税费用): pre-tax in both, so comparable.
    net_income = models.DecimalField("本年收益（收益总额）（元）", **MONEY, default=0)
    net_profit = models.DecimalField("净收益（元）", **MONEY, default=0)  # 收益总额 − 所得税费用
    opening_undistributed = models.DecimalField("年初未分配收益（元）", **MONEY, default=0)
    distributable = models.DecimalField("可分配收益（元）", **MONEY, default=0)
    distributions = models.DecimalField("各项分配（元）", **MONEY, default=0)
    closing_undistributed = models.DecimalField("年末未分配收益（元）", **MONEY, default=0)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+", db_index=False)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+", db_index=False)

    # The admin's history page and the version lookup of the entry page read by the year's id.
    history = LeanHistoricalRecords(excluded_fields=["updated_at"], indexed=("id",), user_db_constraint=False)

    class Meta:
        verbose_name = "村年度账"
        verbose_name_plural = "村年度账"
        ordering = ["village", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="ledger_year_unique"),
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR, year__lte=MAX_YEAR), name="ledger_year_range"),
            models.CheckConstraint(condition=Q(status__in=["draft", "submitted", "approved", "returned"]),
                                   name="ledger_year_status"),
            # Sums of lines that are never negative; 总收入 and 经营性收入 may be, with an investment loss.
            models.CheckConstraint(condition=Q(**{f"{name}__gte": 0 for name in NON_NEGATIVE_FIGURES}),
                                   name="ledger_year_sums_gte_0"),
            # No figure beyond what its lines can add up to (ledger.money.MAX_FIGURE), so that every
            # stored figure is read back exactly, on SQLite too.
            models.CheckConstraint(
                condition=Q(*(Q(**{f"{name}__gte": -MAX_FIGURE, f"{name}__lte": MAX_FIGURE}) for name in FIGURES)),
                name="ledger_year_figures_max",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "year", "-operating_income"], name="ly_county_year_opinc"),
            models.Index(fields=["county", "year", "-total_income"], name="ly_county_year_totinc"),
            models.Index(fields=["town", "year", "-operating_income"], name="ly_town_year_opinc"),
            models.Index(fields=["year", "-operating_income"], name="ly_year_opinc"),
            models.Index(fields=["year", "-total_income"], name="ly_year_totinc"),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year}年"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_open(self) -> bool:
        """草稿 or 已退回: the amounts may be changed."""
        return self.status in self.OPEN_STATUSES


class HistorySource(models.Model):
    """Extra columns on every history row: which action made the change."""

    class Source(models.TextChoices):
        FORM = "form", "网页填报"
        IMPORT = "import", "批量导入"
        ADMIN = "admin", "管理后台"
        WORKFLOW = "workflow", "审核流程"
        SYSTEM = "system", "系统"

    history_source = models.CharField("修改途径", max_length=10, choices=Source.choices, default=Source.SYSTEM)
    history_batch_id = models.PositiveBigIntegerField("导入批次", null=True, blank=True)

    class Meta:
        abstract = True


class LedgerLine(models.Model):
    """One amount on a village-year's statement: an item, optionally a named sub-line (项目)."""

    # No index of its own: the unique (ledger_year, item, name) index starts with it.
    ledger_year = models.ForeignKey(LedgerYear, verbose_name="村年度账", on_delete=models.CASCADE,
                                    related_name="lines", db_index=False)
    # No index: no page looks lines up by item alone, and line items are reference data that is not
    # deleted (a deletion would scan); each index costs every import ~0.1 s per 100,000 lines.
    item = models.ForeignKey(LineItem, verbose_name="科目", on_delete=models.PROTECT, related_name="lines",
                             db_index=False)
    name = models.CharField("项目", max_length=100, blank=True, default="",
                            help_text="明细项目名称，如“标准化厂房租金”；不分项目时留空")
    # ≥ 0 unless the item may be negative: checked by the trigger ledger_line_amount_sign (migration
    # 0009), since a CHECK constraint cannot look at the item.
    amount = models.DecimalField("金额（元）", **MONEY, validators=[
        MinValueValidator(-MAX_LINE_AMOUNT, message=f"金额过大：“%(show_value)s”元超过单行上限 {chinese_amount(MAX_LINE_AMOUNT)}。"),
        MaxValueValidator(MAX_LINE_AMOUNT, message=f"金额过大：“%(show_value)s”元超过单行上限 {chinese_amount(MAX_LINE_AMOUNT)}。"),
    ])
    note = models.CharField("备注", max_length=500, blank=True)
    # Indexed only where set (see Meta.indexes): almost every line has neither.
    # PROTECT: deleting a share or an enterprise would otherwise rewrite the lines that name it
    # (approved years included) without a trace; the admin says how many lines refer to it.
    share = models.ForeignKey(Share, verbose_name="来源股份", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="lines", db_index=False)
    enterprise = models.ForeignKey(Enterprise, verbose_name="来源企业", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="ledger_lines", db_index=False)

    # The village-year page lists the history of a year's lines.
    history = LeanHistoricalRecords(bases=[HistorySource], indexed=("ledger_year",), user_db_constraint=False)

    class Meta:
        verbose_name = "台账明细"
        verbose_name_plural = "台账明细"
        ordering = ["ledger_year", "item__line_number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ledger_year", "item", "name"], name="ledger_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=-MAX_LINE_AMOUNT, amount__lte=MAX_LINE_AMOUNT),
                                   name="ledger_line_amount_max"),
        ]
        # Partial: a line written by an import or a form without a share or enterprise adds no entry,
        # and `share_id = …` / `IN (…)` lookups (the share's lines, SET NULL on delete) still use them.
        indexes = [
            models.Index(fields=["share"], condition=Q(share__isnull=False), name="ledger_line_share"),
            models.Index(fields=["enterprise"], condition=Q(enterprise__isnull=False), name="ledger_line_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.item}·{self.name}" if self.name else str(self.item)


class LedgerYearEvent(models.Model):
    """A workflow step of a village-year (提交, 审核, 退回/重新打开, 导入 …): who, when, why."""

    class Action(models.TextChoices):
        CREATE = "create", "新建"
        SAVE = "save", "保存"
        SUBMIT = "submit", "提交"
        APPROVE = "approve", "审核通过"
        REJECT = "reject", "退回"
        REOPEN = "reopen", "重新打开"
        WITHDRAW = "withdraw", "撤回"
        IMPORT = "import", "导入"
        UNDO_IMPORT = "undo_import", "撤销导入"

    ledger_year = models.ForeignKey(LedgerYear, verbose_name="村年度账", on_delete=models.CASCADE,
                                    related_name="events")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    from_status = models.CharField("原状态", max_length=10, choices=LedgerYear.Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=LedgerYear.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["ledger_year", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.ledger_year} {self.get_action_display()}"


class LedgerRules(models.Model):
    """A county's limits for the warnings on the entry page (not errors: a warning needs an explanation).

    Kept per county because what counts as a suspicious jump differs between a rich and a poor county;
    county officials edit their own row in the admin. Counties without a row use the defaults.
    """

    DEFAULT_LINE_RATIO = Decimal("3")
    DEFAULT_NET_INCOME_CHANGE_PERCENT = Decimal("50")
    # 1亿元: far above any one line of a village's statement (the richest villages of the case reports
    # take in a few 千万元 a year), and far below a 元 figure typed in 万元 (100亿元 and more).
    DEFAULT_LINE_CEILING = Decimal("100000000.00")
    # Over this many times last year's line, or under its this-many-th part: a slip of the unit (元 for
    # 万元 or the reverse), which an explanation does not clear.
    UNIT_SLIP_RATIO = Decimal("100")

    county = models.OneToOneField(County, verbose_name="县（市、区）", on_delete=models.CASCADE,
                                  related_name="ledger_rules")
    line_ratio = models.DecimalField(
        "科目变动倍数", max_digits=5, decimal_places=2, default=DEFAULT_LINE_RATIO,
        validators=[MinValueValidator(Decimal("1.01"))],
        help_text="某科目金额超过上年该倍数，或不足上年的该分之一时，需填写说明",
    )
    net_income_change_percent = models.DecimalField(
        "本年收益变动幅度（%）", max_digits=6, decimal_places=2, default=DEFAULT_NET_INCOME_CHANGE_PERCENT,
        validators=[MinValueValidator(Decimal("1"))],
        help_text="本年收益较上年增减超过该百分比时，需填写说明",
    )
    line_ceiling = models.DecimalField(
        "单行金额上限（元）", **MONEY, default=DEFAULT_LINE_CEILING,
        validators=[MinValueValidator(Decimal("1.00"))],
        help_text="某一行金额超过该值时，页面会询问是否把元当作万元填写，须明确选择后才能保存；默认 1 亿元",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "填报核对规则"
        verbose_name_plural = "填报核对规则"
        constraints = [
            models.CheckConstraint(condition=Q(line_ratio__gt=1), name="ledger_rules_line_ratio_gt_1"),
            models.CheckConstraint(condition=Q(net_income_change_percent__gt=0),
                                   name="ledger_rules_net_income_change_gt_0"),
            models.CheckConstraint(condition=Q(line_ceiling__gt=0), name="ledger_rules_line_ceiling_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.county} 填报核对规则"

    @classmethod
    def for_county(cls, county_id: int) -> "LedgerRules":
        """The county's rules, or an unsaved row with the defaults."""
        return cls.objects.filter(county_id=county_id).first() or cls(county_id=county_id)


def _import_upload_path(batch: "ImportBatch", filename: str) -> str:
    # The hash names the stored file, so a user's file name never becomes a path on disk.
    return f"imports/{timezone.now():%Y/%m}/{batch.sha256}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    suffix = filename[dot:].lower() if dot > 0 else ""
    return suffix if suffix in {".xlsx", ".xls", ".ods", ".csv"} else ".bin"


class ImportBatch(models.Model):
    """One uploaded ledger file: who sent it, the file itself, what it would do and what it did.

    Every import is kept, whatever its outcome, so that a figure can be traced back to the file it came
    from, and a whole import can be undone (`ledger.importing.services.import_batch_undo`) while its
    years are open.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待检查"
        INVALID = "invalid", "有错误，未导入"
        READY = "ready", "待确认"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        APPLIED = "applied", "已导入"
        FAILED = "failed", "导入失败"
        UNDONE = "undone", "已撤销"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("原文件名", max_length=255)
    file = models.FileField("原文件", upload_to=_import_upload_path, max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    file_format = models.CharField("格式", max_length=10, blank=True)
    # What the uploader said about the file: used where the file itself does not say it.
    town = models.ForeignKey(Town, verbose_name="乡镇", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="import_batches")
    year = year_field(null=True, blank=True)
    # A town's ledger file is its report: the village-years the import writes go to 已提交 (awaiting
    # review) instead of staying drafts, so the dashboards' 含已提交 view shows them at once.
    submit = models.BooleanField("导入后提交审核", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    # When the check or the write last reported progress: a batch 导入中 that has not moved for
    # IMPORT_STALE_MINUTES lost its worker (`import_batches_fail_stale`).
    progress_at = models.DateTimeField("最后进展时间", null=True, blank=True)
    rows_read = models.PositiveIntegerField("读取行数", default=0)
    line_count = models.PositiveIntegerField("明细条数", default=0)
    years_created = models.PositiveIntegerField("新建村年度", default=0)
    years_changed = models.PositiveIntegerField("修改村年度", default=0)
    years_unchanged = models.PositiveIntegerField("未变村年度", default=0)
    lines_created = models.PositiveIntegerField("新增明细", default=0)
    lines_changed = models.PositiveIntegerField("修改明细", default=0)
    lines_deleted = models.PositiveIntegerField("删除明细", default=0)
    # [{"sheet", "row", "column", "value", "reason"}], every problem found, in Chinese.
    errors = models.JSONField("问题", default=list, blank=True)
    # Per village-year: what the import will do / did (shown on the preview page).
    preview = models.JSONField("预览", default=list, blank=True)
    # What undo needs: the village-years the import created, and the statements it replaced.
    undo_data = models.JSONField("撤销数据", default=dict, blank=True, editable=False)
    message = models.TextField("说明", blank=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_batch_progress_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.filename}（{self.created_at:%Y-%m-%d %H:%M}）" if self.created_at else self.filename

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.INVALID, self.Status.APPLIED, self.Status.FAILED, self.Status.UNDONE}
