from django.contrib import admin

from .models import TierScheme, TierThreshold


class TierThresholdInline(admin.TabularInline):
    model = TierThreshold
    extra = 0
    ordering = ["position"]


@admin.register(TierScheme)
class TierSchemeAdmin(admin.ModelAdmin):
    list_display = ["county", "weak_metric", "weak_line", "shell_metric", "shell_line", "updated_at", "updated_by"]
    list_select_related = ["county", "updated_by"]
    search_fields = ["county__name", "county__code"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [TierThresholdInline]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
