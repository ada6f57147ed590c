"""Whether a county posts its villages' approved statements publicly (财务公开), since when, by whom."""

from django.conf import settings
from django.db import models

from villages.models import County


class DisclosureSetting(models.Model):
    """A county's 财务公开 switch. Counties without a row do not publish. Written by
    `disclosure.services.disclosure_set` only (the settings page and the admin both call it)."""

    county = models.OneToOneField(County, verbose_name="县（市、区）", on_delete=models.CASCADE,
                                  related_name="disclosure")
    enabled = models.BooleanField("公开村级财务", default=False,
                                  help_text="开启后，本县已审核的村收益及收益分配表在公开页面（无需登录）展示")
    # When it was last turned on: a year approved before it was published from then on.
    enabled_at = models.DateTimeField("开始公开时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "财务公开设置"
        verbose_name_plural = "财务公开设置"
        ordering = ["county"]

    def __str__(self) -> str:
        return f"{self.county} 财务公开：{'开启' if self.enabled else '关闭'}"
