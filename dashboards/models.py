"""Settings the county officials edit for the dashboards: tiers (梯队), the 空壳村/薄弱村 lines, the
reporting deadlines and the 三色预警 limits; and the officials' 已核实 marks on warnings.

They are data, never constants in code: provinces and counties draw these lines differently.
"""


from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from ledger.figures import FIGURE_CHOICES
from ledger.models import MONEY, LedgerYear, year_field
from ledger.money import YUAN_PER_WAN
from villages.models import County

# Defaults a county starts with (八桥镇's 2021 report; the common 薄弱村/空壳村 lines).
DEFAULT_THRESHOLDS = [
    ("500万元以上", "total_income", 500 * YUAN_PER_WAN),
    ("300万元以上", "total_income", 300 * YUAN_PER_WAN),
    ("150万元以上", "total_income", 150 * YUAN_PER_WAN),
]
DEFAULT_WEAK = ("operating_income", 10 * YUAN_PER_WAN)
# 空壳村: the national definition, 无经营收益或经营收益5万元以下 (the 附报's bands on 经营收益); counties may draw their own.
DEFAULT_SHELL = ("operating_profit", 5 * YUAN_PER_WAN)


class TierScheme(models.Model):
    """One county's tier thresholds and its 薄弱村 / 空壳村 lines."""

    county = models.OneToOneField(County, verbose_name="县（市、区）", on_delete=models.CASCADE,
                                  related_name="tier_scheme")
    weak_metric = models.CharField("薄弱村口径", max_length=30, choices=FIGURE_CHOICES, default=DEFAULT_WEAK[0])
    weak_line = models.DecimalField("薄弱村线（元）", **MONEY, default=DEFAULT_WEAK[1],
                                    validators=[MinValueValidator(0)], help_text="低于此数为薄弱村（含空壳村）")
    shell_metric = models.CharField("空壳村口径", max_length=30, choices=FIGURE_CHOICES,
                                    default=DEFAULT_SHELL[0])
    shell_line = models.DecimalField("空壳村线（元）", **MONEY, default=DEFAULT_SHELL[1],
                                     validators=[MinValueValidator(0)], help_text="低于此数（含无收入）为空壳村")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "梯队与薄弱村标准"
        verbose_name_plural = "梯队与薄弱村标准"
        constraints = [
            models.CheckConstraint(condition=Q(weak_line__gte=0, shell_line__gte=0), name="tier_scheme_lines_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.county} 梯队标准"


class TierThreshold(models.Model):
    """A tier: villages whose figure reaches `min_amount`. The first tier (by position) a village reaches is its tier."""

    scheme = models.ForeignKey(TierScheme, verbose_name="标准", on_delete=models.CASCADE, related_name="thresholds")
    position = models.PositiveSmallIntegerField("顺序", help_text="1 为最高梯队")
    label = models.CharField("名称", max_length=30)
    metric = models.CharField("口径", max_length=30, choices=FIGURE_CHOICES, default="total_income")
    min_amount = models.DecimalField("起点（元）", **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = "梯队"
        verbose_name_plural = "梯队"
        ordering = ["scheme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "position"], name="tier_threshold_position_unique"),
            models.UniqueConstraint(fields=["scheme", "label"], name="tier_threshold_label_unique"),
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="tier_threshold_min_gte_0"),
        ]

    def __str__(self) -> str:
        return self.label


# Published 比拼晾晒 issues (dashboards.issues) ---------------------------------------------------------

class LeagueIssue(models.Model):
    """One published issue of a league table (比拼晾晒), "2025 年第 3 期" of its county.

    Its rows are stored when it is published (`IssueRow`), so later changes to the ledgers never change
    what was published; it is never edited or deleted (四议两公开: what was published stays as it was).
    """

    class Table(models.TextChoices):
        VILLAGES = "villages", "村排名"
        TOWNS = "towns", "镇比拼晾晒"

    county = models.ForeignKey(County, verbose_name="发布县（市、区）", on_delete=models.PROTECT,
                               related_name="league_issues")
    # The scope: a town of the county (a village table of one town), or the whole county (null).
    town = models.ForeignKey("villages.Town", verbose_name="范围（乡镇）", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="league_issues")
    table = models.CharField("榜单", max_length=20, choices=Table.choices)
    metric = models.CharField("指标", max_length=30, choices=FIGURE_CHOICES)
    # How a town table is ranked (a key of dashboards.selectors.UNIT_SORTS); "value" for village tables.
    sort = models.CharField("排序", max_length=20, default="value")
    year = models.PositiveSmallIntegerField("数据年度")
    issue_year = models.PositiveSmallIntegerField("期号年度")
    number = models.PositiveSmallIntegerField("期号", help_text="本县本年度第几期")
    title = models.CharField("标题", max_length=100)
    issuing_unit = models.CharField("发布单位", max_length=60)
    note = models.TextField("说明", blank=True, max_length=500)
    # The tier labels of the county's rules when published (the town table's share columns).
    tier_labels = models.JSONField("梯队", default=list, blank=True)
    previous_issue = models.ForeignKey("self", verbose_name="上一期（同榜单）", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="+")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "比拼晾晒（期）"
        verbose_name_plural = "比拼晾晒（期）"
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["county", "issue_year", "number"], name="league_issue_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="league_issue_number_gte_1"),
        ]
        indexes = [models.Index(fields=["county", "table", "metric", "sort", "town", "published_at"],
                                name="league_issue_same_table")]

    def __str__(self) -> str:
        return f"{self.number_label} {self.title}"

    @property
    def number_label(self) -> str:
        return f"{self.issue_year} 年第 {self.number} 期"

    @property
    def scope_label(self) -> str:
        return f"{self.county.name}{self.town.name}" if self.town_id else self.county.name


class IssueRow(models.Model):
    """One line of a published issue, as it was when published: a village or a town with its figures."""

    issue = models.ForeignKey(LeagueIssue, verbose_name="期", on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField("顺序")
    rank = models.PositiveIntegerField("名次")
    village = models.ForeignKey("villages.Village", verbose_name="村", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    town = models.ForeignKey("villages.Town", verbose_name="乡镇", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    name = models.CharField("名称", max_length=50)
    code = models.CharField("统计用区划代码", max_length=12)
    parent_name = models.CharField("所属乡镇", max_length=50, blank=True)
    # The figure of a village; the sum of a town's villages.
    value = models.DecimalField("指标值（元）", **MONEY)
    previous_value = models.DecimalField("上年指标值（元）", **MONEY, null=True, blank=True)
    growth = models.DecimalField("增长率（%）", max_digits=9, decimal_places=1, null=True, blank=True)
    previous_year_rank = models.PositiveIntegerField("上年名次", null=True, blank=True)
    # Rank in the previous issue of the same table (same county, scope, table, figure and sort).
    previous_issue_rank = models.PositiveIntegerField("上期名次", null=True, blank=True)
    tier = models.CharField("梯队", max_length=30, blank=True)
    # Villages below the 薄弱村 / 空壳村 lines: 1 or 0 for a village, a count for a town.
    weak = models.PositiveIntegerField("薄弱村", default=0)
    shell = models.PositiveIntegerField("空壳村", default=0)
    # A town's statistics (empty on village rows).
    villages = models.PositiveIntegerField("报送村数", null=True, blank=True)
    mean = models.DecimalField("村均（元）", **MONEY, null=True, blank=True)
    median = models.DecimalField("中位数（元）", **MONEY, null=True, blank=True)
    highest = models.DecimalField("最高（元）", **MONEY, null=True, blank=True)
    mean_growth = models.DecimalField("村均增长率（%）", max_digits=9, decimal_places=1, null=True, blank=True)
    over_line_shares = models.JSONField("各梯队起点以上占比（%）", default=list, blank=True)

    class Meta:
        verbose_name = "比拼晾晒行"
        verbose_name_plural = "比拼晾晒行"
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "position"], name="issue_row_position_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="issue_row_rank_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.name}"

    @property
    def issue_rank_change(self) -> int | None:
        """Places gained since the previous issue (positive: moved up); None if not in it."""
        return None if self.previous_issue_rank is None else self.previous_issue_rank - self.rank

    @property
    def year_rank_change(self) -> int | None:
        return None if self.previous_year_rank is None else self.previous_year_rank - self.rank


# API tokens (dashboards.api) -------------------------------------------------------------------------------

class ApiToken(models.Model):
    """A county's key to the read-only API (`/api/v1/`), for its hall screen and other county systems.

    Only the SHA-256 of the key is kept (the key is shown once, when made); a revoked token stays listed.
    """

    county = models.ForeignKey(County, verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("用途", max_length=50)
    key_prefix = models.CharField("前缀", max_length=12, help_text="令牌的前几位，用来辨认")
    key_hash = models.CharField("摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="吊销人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.county} {self.name} ({self.key_prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
def default_deadline(year: int) -> date:
    """The 年报 due date a year gets until the county sets its own: `settings.REPORT_DEADLINE` (MM-DD)
    of the following year."""
    month, day = (int(part) for part in settings.REPORT_DEADLINE.split("-"))
    return date(year + 1, month, day)


class ReportingDeadline(models.Model):
    """填报截止日: by when a county's villages report (submit) a year's accounts. Without a row the
    year's deadline is `default_deadline`."""

    county = models.ForeignKey(County, verbose_name="县（市、区）", on_delete=models.CASCADE,
                               related_name="reporting_deadlines")
    year = year_field("年度")
    due_date = models.DateField("填报截止日")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "填报截止日"
        verbose_name_plural = "填报截止日"
        ordering = ["county", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="reporting_deadline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}年 截止 {self.due_date:%Y-%m-%d}"


class WarningRules(models.Model):
    """One county's 三色预警 limits (counties without a row use the defaults)."""

    DEFAULT_DROP_PERCENT = Decimal("20")
    DEFAULT_RED_DROP_PERCENT = Decimal("50")
    DEFAULT_JUMP_RATIO = Decimal("100")

    county = models.OneToOneField(County, verbose_name="县（市、区）", on_delete=models.CASCADE,
                                  related_name="warning_rules")
    drop_percent = models.DecimalField(
        "降幅黄色预警线（%）", max_digits=5, decimal_places=2, default=DEFAULT_DROP_PERCENT,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text="经营性收入或本年收益较上年下降超过此比例时黄色预警")
    red_drop_percent = models.DecimalField(
        "降幅红色预警线（%）", max_digits=5, decimal_places=2, default=DEFAULT_RED_DROP_PERCENT,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
        help_text="下降超过此比例时红色预警（不低于黄色预警线）")
    jump_ratio = models.DecimalField(
        "疑似单位错误倍数", max_digits=7, decimal_places=2, default=DEFAULT_JUMP_RATIO,
        validators=[MinValueValidator(Decimal("2"))],
        help_text="总收入、经营性收入或总支出超过上年此倍数或不足上年此分之一时，疑为万元/元填错")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "三色预警规则"
        verbose_name_plural = "三色预警规则"
        constraints = [
            models.CheckConstraint(condition=Q(drop_percent__gt=0, drop_percent__lte=100, red_drop_percent__lte=100,
                                               red_drop_percent__gte=F("drop_percent")),
                                   name="warning_rules_drop_range"),
            models.CheckConstraint(condition=Q(jump_ratio__gt=1), name="warning_rules_jump_gt_1"),
        ]

    def __str__(self) -> str:
        return f"{self.county} 三色预警规则"


class WarningReview(models.Model):
    """已核实: an official looked at one warning of a village-year and says why it stands (kept, with
    who and when). A verified warning no longer colours the village."""

    ledger_year = models.ForeignKey(LedgerYear, verbose_name="村年度账", on_delete=models.CASCADE,
                                    related_name="warning_reviews")
    code = models.CharField("预警项", max_length=30)
    reason = models.TextField("核实说明")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核实人", on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField("核实时间", auto_now_add=True)

    class Meta:
        verbose_name = "预警核实"
        verbose_name_plural = "预警核实"
        ordering = ["ledger_year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ledger_year", "code"], name="warning_review_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.ledger_year} {self.code} 已核实"
