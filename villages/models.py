"""The administrative hierarchy, party organisations, enterprises and who may see which part of it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .validators import (
    credit_code_type,
    town_kind,
    validate_county_code,
    validate_credit_code,
    validate_town_code,
    validate_village_code,
    village_kind,
)

# The structure of the codes, held by the database on every path (bulk writes included): a county's city
# digits (3–4) are not 00 (but for 香港/澳门's districts, 810001), a town's number is 001–599, a village's is
# not 000. The validators add what needs a
# list (the GB/T 2260 provinces) and give the reasons; synthetic data may use a fictional province.
NONZERO_NUMBER = r"(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})"
COUNTY_PART = r"([0-9]{2}(0[1-9]|[1-9][0-9])[0-9]{2}|8[12]00(0[1-9]|[1-9][0-9]))"
COUNTY_CODE_REGEX = rf"^{COUNTY_PART}000000$"
TOWN_CODE_REGEX = rf"^{COUNTY_PART}(00[1-9]|0[1-9][0-9]|[1-5][0-9]{{2}})000$"
TWELVE_DIGITS = r"^[0-9]{12}$"  # a 统计用区划代码 as it was (former codes, towns padded with 000)
VILLAGE_CODE_REGEX = rf"^{COUNTY_PART}{NONZERO_NUMBER}{NONZERO_NUMBER}$"


class County(models.Model):
    """县 / 县级市 / 区."""

    code = models.CharField("统计用区划代码", max_length=12, unique=True, validators=[validate_county_code])
    name = models.CharField("名称", max_length=50)
    province = models.CharField("所属省份", max_length=30, blank=True)
    city = models.CharField("所属地市", max_length=30, blank=True)

    class Meta:
        verbose_name = "县（市、区）"
        verbose_name_plural = "县（市、区）"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=COUNTY_CODE_REGEX), name="county_code_format"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[:6]


class Town(models.Model):
    """乡 / 镇 / 街道."""

    county = models.ForeignKey(County, verbose_name="所属县（市、区）", on_delete=models.PROTECT, related_name="towns")
    code = models.CharField("统计用区划代码", max_length=12, unique=True, validators=[validate_town_code])
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = "乡镇（街道）"
        verbose_name_plural = "乡镇（街道）"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=TOWN_CODE_REGEX), name="town_code_format"),
            models.UniqueConstraint(fields=["county", "name"], name="town_name_unique_in_county"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[:9]

    @property
    def kind(self) -> str | None:
        return town_kind(self.code)

    def clean(self) -> None:
        if self.county_id and self.code and not self.code.startswith(self.county.prefix):
            raise ValidationError({"code": f"乡镇代码必须以所属县的代码 {self.county.prefix} 开头。"})


class Village(models.Model):
    """村委会 / 居委会 / 社区."""

    town = models.ForeignKey(Town, verbose_name="所属乡镇", on_delete=models.PROTECT, related_name="villages")
    code = models.CharField("统计用区划代码", max_length=12, unique=True, validators=[validate_village_code])
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = "村（社区）"
        verbose_name_plural = "村（社区）"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=VILLAGE_CODE_REGEX), name="village_code_format"),
            models.UniqueConstraint(fields=["town", "name"], name="village_name_unique_in_town"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str | None:
        return village_kind(self.code)

    def clean(self) -> None:
        if self.town_id and self.code and not self.code.startswith(self.town.prefix):
            raise ValidationError({"code": f"村代码必须以所属乡镇的代码 {self.town.prefix} 开头。"})


class FormerDivisionCode(models.Model):
    """A code and name a village or town had before a 区划调整 (更名, 调整隶属, 撤并, 改代码).

    Old ledgers keep the old codes: the import matches them too, and a village's past stays findable.
    Written by the relocation services (`ledger.relocations`) only.
    """

    class Change(models.TextChoices):
        RENAME = "rename", "更名"
        MOVE = "move", "调整隶属"
        MERGE = "merge", "撤并"
        RECODE = "recode", "改代码"

    village = models.ForeignKey(Village, verbose_name="现村（社区）", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="former_codes")
    town = models.ForeignKey(Town, verbose_name="现乡镇（街道）", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="former_codes")
    code = models.CharField("原区划代码", max_length=12, db_index=True)
    name = models.CharField("原名称", max_length=50)
    change = models.CharField("调整类型", max_length=10, choices=Change.choices)
    changed_at = models.DateTimeField("调整时间", auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "原区划代码"
        verbose_name_plural = "原区划代码"
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(village__isnull=True) ^ Q(town__isnull=True),
                                   name="former_code_village_or_town"),
            models.CheckConstraint(condition=Q(code__regex=TWELVE_DIGITS), name="former_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（{self.get_change_display()}）"


class PartyOrganization(models.Model):
    """党组织: a village's own branch, or one that spans several villages (区域党委, 联合党委, 党建联盟 …)."""

    class Kind(models.TextChoices):
        VILLAGE_BRANCH = "village_branch", "村党支部"
        VILLAGE_GENERAL_BRANCH = "village_general_branch", "村党总支"
        VILLAGE_COMMITTEE = "village_committee", "村党委"
        JOINT_COMMITTEE = "joint_committee", "联合党委"
        REGIONAL_COMMITTEE = "regional_committee", "区域党委"
        ALLIANCE = "alliance", "党建联盟"
        CLUSTER = "cluster", "组团"
        FUNCTIONAL = "functional", "功能型党组织（攻坚支部等）"

    SPANNING_KINDS = (Kind.JOINT_COMMITTEE, Kind.REGIONAL_COMMITTEE, Kind.ALLIANCE, Kind.CLUSTER, Kind.FUNCTIONAL)

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    county = models.ForeignKey(County, verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="party_organizations")
    town = models.ForeignKey(Town, verbose_name="所属乡镇", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="party_organizations", help_text="跨乡镇的组织可不填")
    industry = models.CharField("主导产业", max_length=100, blank=True)
    villages = models.ManyToManyField(Village, verbose_name="涵盖村", through="PartyOrganizationMembership",
                                      related_name="party_organizations", blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["county", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="party_org_name_unique_in_county"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.town_id and self.county_id and self.town.county_id != self.county_id:
            raise ValidationError({"town": "所属乡镇不在所选县（市、区）内。"})


class PartyOrganizationMembership(models.Model):
    organization = models.ForeignKey(PartyOrganization, verbose_name="党组织", on_delete=models.CASCADE,
                                     related_name="memberships")
    village = models.ForeignKey(Village, verbose_name="村", on_delete=models.CASCADE,
                                related_name="party_memberships")

    class Meta:
        verbose_name = "党组织涵盖村"
        verbose_name_plural = "党组织涵盖村"
        constraints = [
            models.UniqueConstraint(fields=["organization", "village"], name="party_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.village}"


class Enterprise(models.Model):
    """企业/经营主体: the village's own collective, 强村公司, cooperatives and paired firms."""

    class Kind(models.TextChoices):
        JOINT_STOCK_COOPERATIVE = "joint_stock_coop", "股份经济合作社"
        ECONOMIC_COOPERATIVE = "economic_coop", "经济合作社"
        STRONG_VILLAGE_COMPANY = "strong_village_company", "强村公司"
        SPECIALIZED_COOPERATIVE = "specialized_coop", "农民专业合作社"
        PRIVATE = "private", "民营企业"
        STATE = "state", "国有企业"
        OTHER = "other", "其他"

    # The registration types (positions 1–2 of the credit code) that fit each kind; a code of another type
    # is probably a typing error or the wrong kind, so the admin warns (it does not refuse: the register
    # has its exceptions).
    CREDIT_CODE_TYPES = {
        Kind.JOINT_STOCK_COOPERATIVE: ("N1", "N2", "N3"),
        Kind.ECONOMIC_COOPERATIVE: ("N1", "N2", "N3"),
        Kind.STRONG_VILLAGE_COMPANY: ("91",),
        Kind.SPECIALIZED_COOPERATIVE: ("93",),
        Kind.PRIVATE: ("91", "92"),
        Kind.STATE: ("91",),
    }

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, validators=[validate_credit_code])
    county = models.ForeignKey(County, verbose_name="所属县（市、区）", on_delete=models.PROTECT,
                               related_name="enterprises")
    town = models.ForeignKey(Town, verbose_name="所属乡镇", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="enterprises")
    village = models.ForeignKey(Village, verbose_name="所属村", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="enterprises", help_text="村集体经济组织填写本村")
    industry = models.CharField("行业", max_length=100, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "企业（经营主体）"
        verbose_name_plural = "企业（经营主体）"
        ordering = ["county", "name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="enterprise_credit_code_unique"),
            models.UniqueConstraint(fields=["county", "name"], name="enterprise_name_unique_in_county"),
            models.CheckConstraint(condition=Q(credit_code="") | Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                                   name="enterprise_credit_code_format"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.town_id and self.county_id and self.town.county_id != self.county_id:
            errors["town"] = "所属乡镇不在所选县（市、区）内。"
        if self.village_id and self.town_id and self.village.town_id != self.town_id:
            errors["village"] = "所属村不在所选乡镇内。"
        if errors:
            raise ValidationError(errors)

    def credit_code_warning(self) -> str | None:
        """A warning when the credit code's type (N2, 93, 91 …) does not fit the kind, else None."""
        expected = self.CREDIT_CODE_TYPES.get(self.kind)
        if not self.credit_code or not expected or self.credit_code[:2] in expected:
            return None
        found = credit_code_type(self.credit_code) or "未知类型"
        wanted = "、".join(f"{t}（{credit_code_type(t)}）" for t in expected)
        return (f"{self.name}：统一社会信用代码前两位为 {self.credit_code[:2]}（{found}），"
                f"与类型“{self.get_kind_display()}”不符（通常为 {wanted}），请核对代码或类型。")


class UserRole(models.Model):
    """What a user does here and over which part of the map (a town or a county)."""

    class Role(models.TextChoices):
        CADRE = "cadre", "镇村账会计（填报）"
        REVIEWER = "reviewer", "镇审核人"
        OFFICIAL = "official", "县级管理人员"
        STAFF = "staff", "统计/经管人员（导入导出）"
        ADMIN = "admin", "系统管理员"

    TOWN_ROLES = (Role.CADRE, Role.REVIEWER)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                                related_name="role")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    county = models.ForeignKey(County, verbose_name="县（市、区）", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="user_roles")
    town = models.ForeignKey(Town, verbose_name="乡镇", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="user_roles", help_text="镇级角色必填；填写后只能访问本镇")

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            # Town roles need a town; every role but the administrator needs a county.
            models.CheckConstraint(
                condition=Q(role="admin") | Q(county__isnull=False), name="user_role_needs_county"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["cadre", "reviewer"]) | Q(town__isnull=False), name="user_role_town_roles"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    def clean(self) -> None:
        if self.town_id and self.county_id and self.town.county_id != self.county_id:
            raise ValidationError({"town": "乡镇不在所选县（市、区）内。"})
