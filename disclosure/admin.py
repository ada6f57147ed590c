from django.contrib import admin

from villages.admin import ScopedAdminMixin
from villages.models import County

from .models import DisclosureSetting
from .services import disclosure_set


@admin.register(DisclosureSetting)
class DisclosureSettingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Administrators turn a county's 财务公开 on or off here too, through the same service."""

    scope_model, scope_lookup = County, "county"
    list_display = ["county", "enabled", "enabled_at", "updated_at"]
    list_select_related = ["county"]
    fields = ["county", "enabled", "enabled_at", "updated_at", "updated_by"]
    readonly_fields = ["enabled_at", "updated_at", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "county"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = disclosure_set(county=obj.county, enabled=obj.enabled, actor=request.user)
        obj.pk, obj.enabled_at, obj.updated_at = saved.pk, saved.enabled_at, saved.updated_at
