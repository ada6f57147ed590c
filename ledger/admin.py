"""Admin for the accounts. Writes to lines go through `ledger.services`, like every other path,
so that history and figures stay true; approved years are read-only here too, and so is the
reference data (accounting systems, items, metrics), which changes only through migrations."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from villages.admin import ScopedAdminMixin
from villages.models import County, Village

from . import services
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
from .money import YUAN, AmountError, parse_amount


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


@admin.register(Share)
class ShareAdmin(ScopedAdminMixin, ImportExportModelAdmin):
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
            amount = parse_amount(self.cleaned_data["amount"], YUAN)
        except AmountError as exc:
            raise forms.ValidationError(str(exc), code="amount") from exc
        if amount is None:
            raise forms.ValidationError("请填写金额。", code="required")
        return amount


class LedgerLineInline(admin.TabularInline):
    model = LedgerLine
    form = LedgerLineForm
    extra = 0
    fields = ["item", "name", "amount", "note", "share", "enterprise"]
    autocomplete_fields = ["share", "enterprise"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.is_locked

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


@admin.register(LedgerYear)
class LedgerYearAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    scope_model, scope_lookup = Village, "village"
    list_display = ["village", "year", "status", "total_income", "operating_income", "net_income", "version"]
    list_filter = ["status", "year", ("county", admin.RelatedOnlyFieldListFilter),
                   ("town", admin.RelatedOnlyFieldListFilter), "system"]
    search_fields = ["village__name", "village__code"]
    list_select_related = ["village"]
    readonly_fields = ["system", "town", "county", "version", *LedgerYear.FIGURES, "submitted_at", "approved_at",
                       "approved_by", "updated_by", "status"]
    autocomplete_fields = ["village"]
    inlines = [LedgerLineInline, LedgerYearEventInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return [f for f in self.readonly_fields if f != "status"]
        return [*self.readonly_fields, "village", "year"]

    def save_model(self, request, obj, form, change):
        if not change:
            opened = services.ledger_year_open(village=obj.village, year=obj.year, actor=request.user)
            obj.pk = opened.pk
            obj.__dict__.update(opened.__dict__)

    def save_related(self, request, form, formsets, change):
        """Turn the inline's rows into one complete statement and write it through the service."""
        obj = form.instance
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
        if obj.is_locked:
            return
        try:
            with transaction.atomic():
                services.ledger_year_replace_lines(ledger_year=obj, lines=lines, actor=request.user,
                                                   source="admin", reason="管理后台修改")
        except services.LedgerError as exc:
            messages.error(request, str(exc))

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline formsets are not saved by the admin (the service writes the lines), so the
        # default message, which reads what the formsets saved, does not apply.
        return [{"added": {}}] if add else [{"changed": {"fields": ["台账明细"]}}]

    def delete_model(self, request, obj):
        if obj.is_locked:
            messages.error(request, f"{obj} 已审核锁定，不能删除。")
            return
        super().delete_model(request, obj)


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
