"""Settings the county officials edit for the dashboards: tiers (梯队) and the 空壳村/薄弱村 lines.

They are data, never constants in code: provinces and counties draw these lines differently.
"""


from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from ledger.figures import FIGURE_CHOICES
from ledger.models import MONEY
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
