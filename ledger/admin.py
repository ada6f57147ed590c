"""Admin for the accounts. Writes to lines go through `ledger.services`, like every other path,
so that history and figures stay true; approved years are read-only here too, and so is the
reference data (accounting systems, items, metrics), which changes only through migrations."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from villages.access import visible_villages
from villages.admin import EnterpriseAdmin as VillagesEnterpriseAdmin
from villages.admin import ScopedAdminMixin
from villages.admin import TownAdmin as VillagesTownAdmin
from villages.admin import VillageAdmin as VillagesVillageAdmin
from villages.models import County, Enterprise, FormerDivisionCode, Town, Village

from . import relocations, services
from .models import (
    AccountingSystem,
    LedgerLine,
    LedgerRules,
    LedgerYear,
    LedgerYearEvent,
    LineItem,
    Metric,
    MetricTerm,
    Share,
)
from .money import YUAN, AmountError, format_yuan, parse_amount
from .statements import negative_message

TASK_NAMES = {"ledger.tasks.check_import": "检查导入文件", "ledger.tasks.apply_import": "写入导入数据"}


class ShareResource(resources.ModelResource):
    class Meta:
        model = Share
        # Run the model's validators and clean() (codes, town prefixes) on every imported row.
        clean_model_instances = True
        fields = ["id", "holder", "enterprise", "kind", "amount", "percentage", "start_year", "end_year", "note"]


class ReadOnlyReferenceData:
    """Accounting systems, their items and the figures' definitions are reference data: they come from
    `fixtures/accounting_systems.json` through migrations only, and the admin shows them read-only
    (editing an item here would silently change every figure computed from it)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineItemInline(ReadOnlyReferenceData, admin.TabularInline):
    model = LineItem
    extra = 0


@admin.register(AccountingSystem)
class AccountingSystemAdmin(ReadOnlyReferenceData, admin.ModelAdmin):
    list_display = ["name", "document", "first_year", "last_year"]
    inlines = [LineItemInline]


@admin.register(LineItem)
class LineItemAdmin(ReadOnlyReferenceData, admin.ModelAdmin):
    list_display = ["name", "system", "line_number", "kind", "aliases"]
    list_filter = ["system", "kind"]
    search_fields = ["name", "aliases"]


class MetricTermInline(ReadOnlyReferenceData, admin.TabularInline):
    model = MetricTerm
    extra = 0


@admin.register(Metric)
class MetricAdmin(ReadOnlyReferenceData, admin.ModelAdmin):
    list_display = ["name", "code", "description"]
    inlines = [MetricTermInline]


class LinesProtectMixin:
    """Deleting what ledger lines name (a share, an enterprise) is refused while lines refer to it
    (PROTECT): the lines' history would otherwise change without a trace, approved years included.
    The admin's refusal says how many lines and village-years, instead of listing every line."""

    line_lookup = ""  # the LedgerLine field that points at this model

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        lines = LedgerLine.objects.filter(**{f"{self.line_lookup}__in": [obj.pk for obj in objs]})
        count = lines.count()
        if count:
            years = lines.values("ledger_year").distinct().count()
            prefix = f"{LedgerLine._meta.verbose_name}: "
            # Formatting the protected lines noted them as "no permission to delete" too: the
            # refusal is the protection, said once below.
            perms_needed = {name for name in perms_needed if name != LedgerLine._meta.verbose_name}
            protected = [
                f"有 {count} 条台账明细（涉及 {years} 个村年度账）的来源是所选的{self.model._meta.verbose_name}，"
                "不能删除；请先在这些村年度账中改掉来源（已审核的须先重新打开）。",
                *(item for item in protected if not str(item).startswith(prefix)),
            ]
        return deleted, counts, perms_needed, protected


@admin.register(Share)
class ShareAdmin(LinesProtectMixin, ScopedAdminMixin, ImportExportModelAdmin):
    line_lookup = "share"
    scope_model, scope_lookup = Village, "holder"
    resource_classes = [ShareResource]
    list_display = ["holder", "enterprise", "kind", "amount", "percentage", "start_year", "end_year"]
    list_filter = ["kind", ("holder__town__county", admin.RelatedOnlyFieldListFilter),
                   ("holder__town", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["holder__name", "enterprise__name"]
    list_select_related = ["holder", "enterprise"]
    autocomplete_fields = ["holder", "enterprise"]


class LedgerLineForm(forms.ModelForm):
    """Amounts in 元 read as everywhere else (`parse_amount`): exact, within the line limit, or refused."""

    amount = forms.CharField(label="金额（元）", max_length=40)

    class Meta:
        model = LedgerLine
        fields = ["item", "name", "amount", "note", "share", "enterprise"]

    def clean_amount(self):
        try:
            # A minus sign is read here and judged with the line's item in `clean`.
            amount = parse_amount(self.cleaned_data["amount"], YUAN, allow_negative=True)
        except AmountError as exc:
            raise forms.ValidationError(str(exc), code="amount") from exc
        if amount is None:
            raise forms.ValidationError("请填写金额。", code="required")
        return amount

    def clean(self):
        cleaned = super().clean()
        item, amount = cleaned.get("item"), cleaned.get("amount")
        if item is not None and amount is not None and amount < 0 and not item.may_be_negative:
            self.add_error("amount", forms.ValidationError(negative_message(item.name), code="negative"))
        return cleaned


class LedgerLineInline(admin.TabularInline):
    model = LedgerLine
    form = LedgerLineForm
    extra = 0
    fields = ["item", "name", "amount", "note", "share", "enterprise"]
    autocomplete_fields = ["share", "enterprise"]

    def has_change_permission(self, request, obj=None):
        # Drafts only, like the entry page: submitted years are under review, approved ones locked.
        return obj is None or obj.is_open

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item" and request.resolver_match and request.resolver_match.kwargs.get("object_id"):
            year = LedgerYear.objects.filter(pk=request.resolver_match.kwargs["object_id"]).first()
            if year is not None:
                kwargs["queryset"] = LineItem.objects.filter(system_id=year.system_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class LedgerYearEventInline(admin.TabularInline):
    model = LedgerYearEvent
    extra = 0
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class LedgerYearAdminForm(forms.ModelForm):
    """The village-year's change form carries the version it was opened at, like the entry page:
    saving from a stale page is refused with nothing written."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    class Meta:
        model = LedgerYear
        fields = ["village", "year"]  # the admin passes its own list; these are the editable ones

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_version"].initial = self.instance.version if self.instance.pk else 0

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk:
            current = LedgerYear.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if opened is None or opened != current:
                raise forms.ValidationError(
                    "%(year)s 已被他人修改（您打开的是第 %(opened)s 版，现在是第 %(current)s 版），本次保存未写入。"
                    "请重新打开本页查看对方的修改后再保存。",
                    code="stale", params={"year": self.instance, "opened": opened, "current": current})
        return cleaned


@admin.register(LedgerYear)
class LedgerYearAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    form = LedgerYearAdminForm
    scope_model, scope_lookup = Village, "village"
    list_display = ["village", "town", "year", "status", "total_income_shown", "operating_income_shown",
                    "net_income_shown", "version"]
    list_filter = ["status", "year", ("county", admin.RelatedOnlyFieldListFilter),
                   ("town", admin.RelatedOnlyFieldListFilter), "system"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village", "town"]

    @admin.display(description="总收入（元）", ordering="total_income")
    def total_income_shown(self, obj):
        return format_yuan(obj.total_income)

    @admin.display(description="经营性收入（元）", ordering="operating_income")
    def operating_income_shown(self, obj):
        return format_yuan(obj.operating_income)

    @admin.display(description="本年收益（元）", ordering="net_income")
    def net_income_shown(self, obj):
        return format_yuan(obj.net_income)
    readonly_fields = ["system", "town", "county", "version", *LedgerYear.FIGURES, "submitted_at", "approved_at",
                       "approved_by", "updated_by", "status"]
    autocomplete_fields = ["village"]
    inlines = [LedgerLineInline, LedgerYearEventInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return [f for f in self.readonly_fields if f != "status"]
        return [*self.readonly_fields, "village", "year"]

    def save_model(self, request, obj, form, change):
        """Nothing here: the year and its lines are written together by the service in `save_related`."""

    def save_related(self, request, form, formsets, change):
        """Turn the inline's rows into one complete statement and write it through the entry page's
        service (`ledger_year_save_statement`: drafts only, the version the page was opened at)."""
        obj = form.instance
        if change and not obj.is_open:
            return  # shown read-only: nothing was typed
        lines = []
        for formset in formsets:
            if formset.model is not LedgerLine:
                continue
            for inline_form in formset.forms:
                data = getattr(inline_form, "cleaned_data", None)
                if not data or data.get("DELETE") or not data.get("item"):
                    continue
                lines.append(services.LineInput(
                    item_id=data["item"].pk, amount=data["amount"], name=data.get("name") or "",
                    note=data.get("note") or "", share_id=getattr(data.get("share"), "pk", None),
                    enterprise_id=getattr(data.get("enterprise"), "pk", None),
                ))
        try:
            with transaction.atomic():
                saved, _ = services.ledger_year_save_statement(
                    village=obj.village, year=obj.year, lines=lines, actor=request.user, source="admin",
                    reason="管理后台修改", expected_version=form.cleaned_data.get("opened_version") or 0)
        except services.LedgerError as exc:
            # Somebody saved between the form's check and this write: nothing of this save is kept.
            transaction.set_rollback(True)
            messages.error(request, str(exc))
            if obj.pk is None:
                return
        else:
            obj.pk = saved.pk
        obj.refresh_from_db()  # the admin's log and redirect read the row as written

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline formsets are not saved by the admin (the service writes the lines), so the
        # default message, which reads what the formsets saved, does not apply.
        return [{"added": {}}] if add else [{"changed": {"fields": ["台账明细"]}}]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_open:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Lines and events go with their year through the service, which writes their history; a
        # submitted or approved year is refused below, by name, rather than as a missing permission.
        through_service = {LedgerLine._meta.verbose_name, LedgerYearEvent._meta.verbose_name}
        if super().has_delete_permission(request):
            through_service.add(LedgerYear._meta.verbose_name)
        perms_needed = {name for name in perms_needed if name not in through_service}
        closed = [f"{ly}：{ly.get_status_display()}，不能删除（请先由审核人退回或重新打开）"
                  for ly in objs if not ly.is_open]
        return deleted, counts, perms_needed, [*closed, *protected]

    def delete_model(self, request, obj):
        try:
            services.ledger_year_delete(ledger_year=obj, actor=request.user, reason="管理后台删除")
        except services.LedgerError as exc:
            messages.error(request, str(exc))

    def delete_queryset(self, request, queryset):
        try:
            services.ledger_years_delete(ledger_years=list(queryset), actor=request.user, reason="管理后台删除")
        except services.LedgerError as exc:
            messages.error(request, str(exc))


@admin.register(LedgerLine)
class LedgerLineAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only list for searching; lines are edited on their village-year."""

    scope_model, scope_lookup = Village, "ledger_year__village"

    list_display = ["ledger_year", "item", "name", "amount", "note"]
    list_filter = ["item__system", "item", "ledger_year__year"]
    search_fields = ["ledger_year__village__name", "name", "note"]
    list_select_related = ["ledger_year__village", "item"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerYearEvent)
class LedgerYearEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope_model, scope_lookup = Village, "ledger_year__village"
    list_display = ["ledger_year", "action", "from_status", "to_status", "actor", "at", "reason"]
    list_filter = ["action"]
    search_fields = ["ledger_year__village__name", "reason"]
    list_select_related = ["ledger_year__village", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LedgerRules)
class LedgerRulesAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """County officials set the limits of the entry page's warnings for their own county."""

    scope_model, scope_lookup = County, "county"
    list_display = ["county", "line_ratio", "net_income_change_percent", "updated_at"]
    list_select_related = ["county"]


admin.site.unregister(Enterprise)


@admin.register(Enterprise)
class EnterpriseAdmin(LinesProtectMixin, VillagesEnterpriseAdmin):
    """The villages app's enterprise admin, refusing deletes of enterprises that ledger lines name."""

    line_lookup = "enterprise"


# 区划调整 in the admin: the villages app's Village and Town pages, with their saves routed through
# `ledger.relocations`, which keeps the village-years' copies of town and county and the former codes.

class FormerCodeInline(admin.TabularInline):
    model = FormerDivisionCode
    fk_name = "village"
    extra = 0
    can_delete = False
    fields = readonly_fields = ["code", "name", "change", "changed_at", "changed_by", "reason"]
    verbose_name_plural = "原区划代码（区划调整前的代码和名称，旧台账仍可按它们导入）"

    def has_add_permission(self, request, obj=None):
        return False


class TownFormerCodeInline(FormerCodeInline):
    fk_name = "town"


class VillageAdminForm(forms.ModelForm):
    merge_into = forms.CharField(
        label="并入村（撤并）", required=False, max_length=12,
        help_text="填写要并入的村的 12 位区划代码：本村的各年度账、入股、企业和党组织关系转入该村，本村代码记为其原代码，"
                  "本村随后删除。两村有同一年度的账时不能合并。")
    change_reason = forms.CharField(label="调整说明", required=False, max_length=200,
                                    help_text="区划调整的文号或原因，记入修改记录")
    user = None  # set per request by VillageAdmin.get_form

    class Meta:
        model = Village
        fields = ["town", "code", "name"]

    def clean_merge_into(self):
        code = self.cleaned_data.get("merge_into", "").strip()
        if not code:
            return None
        into = visible_villages(self.user).filter(code=code).select_related("town").first()
        if into is None:
            raise forms.ValidationError("没有代码为 %(code)s 的村（或不在您的管辖范围内）。", params={"code": code})
        return into

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            old = Village.objects.select_related("town").get(pk=self.instance.pk)
            into = cleaned.get("merge_into")
            problems = (relocations.village_merge_problems(village=old, into=into) if into else
                        relocations.village_change_problems(village=old, town=cleaned.get("town"),
                                                            code=cleaned.get("code"), name=cleaned.get("name")))
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


admin.site.unregister(Village)


@admin.register(Village)
class VillageAdmin(VillagesVillageAdmin):
    """Moves, renames, recodes and merges go through `ledger.relocations`, never a plain save."""

    form = VillageAdminForm
    inlines = [*VillagesVillageAdmin.inlines, FormerCodeInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in ("merge_into", "change_reason")]
        return [*fields, "change_reason", "merge_into"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        old = Village.objects.select_related("town").get(pk=obj.pk)
        reason = form.cleaned_data.get("change_reason", "")
        into = form.cleaned_data.get("merge_into")
        if into is not None:
            relocations.village_merge(village=old, into=into, actor=request.user, reason=reason)
            request._merged_into = into
            return
        relocations.village_change(village=old, town=obj.town, code=obj.code, name=obj.name, actor=request.user,
                                   reason=reason)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        if getattr(request, "_merged_into", None) is None:
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "_merged_into", None) is not None:
            return [{"changed": {"fields": ["并入村"]}}]
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        into = getattr(request, "_merged_into", None)
        if into is None:
            return super().response_change(request, obj)
        from django.shortcuts import redirect
        from django.urls import reverse

        messages.success(request, f"{obj.name}已并入{into.name}（{into.code}）。")
        return redirect(reverse("admin:villages_village_change", args=[into.pk]))


class TownAdminForm(forms.ModelForm):
    change_reason = forms.CharField(label="调整说明", required=False, max_length=200,
                                    help_text="区划调整的文号或原因，记入修改记录")

    class Meta:
        model = Town
        fields = ["county", "code", "name"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            old = Town.objects.get(pk=self.instance.pk)
            county, code = cleaned.get("county"), cleaned.get("code")
            if county is not None and county.pk != old.county_id and code == old.code:
                raise forms.ValidationError("调整到%(county)s须同时改为以 %(prefix)s 开头的新乡镇代码。",
                                            params={"county": county.name, "prefix": county.prefix})
        return cleaned


admin.site.unregister(Town)


@admin.register(Town)
class TownAdmin(VillagesTownAdmin):
    """Renames, recodes (its villages' codes follow) and moves to another county go through
    `ledger.relocations.town_change`."""

    form = TownAdminForm
    inlines = [*VillagesTownAdmin.inlines, TownFormerCodeInline]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        old = Town.objects.get(pk=obj.pk)
        try:
            relocations.town_change(town=old, code=obj.code, name=obj.name, county=obj.county, actor=request.user,
                                    reason=form.cleaned_data.get("change_reason", ""))
        except services.LedgerError as exc:
            transaction.set_rollback(True)
            messages.error(request, str(exc))
        obj.refresh_from_db()


# The background tasks' list (django-tasks' database backend), with its one unnamed column named.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("id", "task_label", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue_name")

    @admin.display(description="任务")
    def task_label(self, obj):
        return TASK_NAMES.get(obj.task_path, obj.task_path)
