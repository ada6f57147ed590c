from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from . import access
from .models import (
    County,
    Enterprise,
    PartyOrganization,
    PartyOrganizationMembership,
    Town,
    UserRole,
    Village,
)

# Which objects of each model a user may see and pick (the scope helpers of `villages.access`).
SCOPES = {
    County: access.visible_counties,
    Town: access.visible_towns,
    Village: access.visible_villages,
    PartyOrganization: access.visible_party_organizations,
    Enterprise: access.visible_enterprises,
}


class ScopedAdminMixin:
    """The admin shows and offers only what the user's role covers (a town, a county, everything).

    Town cadres keep their town's party organisations and enterprises here, so lists, change pages,
    autocompletes and foreign-key choices all go through `villages.access`, like the rest of the site.
    `scope_lookup` is the path from this model to the scoped model (`holder` for a share's village).
    """

    scope_model = None
    scope_lookup = "pk"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = SCOPES[self.scope_model or self.model]
        return queryset.filter(**{f"{self.scope_lookup}__in": scope(request.user).values("pk")})

    def _object_in_scope_or_404(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("未找到，或您无权访问。")

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history's view falls back to the history rows of objects it cannot find.
        self._object_in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._object_in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_import_permission(self, request):
        # A file can name any county or town, past the scope above: file imports are for superusers.
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = SCOPES.get(db_field.related_model)
        if scope is not None:
            kwargs["queryset"] = scope(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CountyResource(resources.ModelResource):
    class Meta:
        model = County
        import_id_fields = ["code"]
        fields = ["code", "name", "province", "city"]


class TownResource(resources.ModelResource):
    class Meta:
        model = Town
        import_id_fields = ["code"]
        fields = ["code", "name", "county"]


class VillageResource(resources.ModelResource):
    class Meta:
        model = Village
        import_id_fields = ["code"]
        fields = ["code", "name", "town"]


class EnterpriseResource(resources.ModelResource):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "kind", "credit_code", "county", "town", "village", "industry", "note"]


class PartyOrganizationResource(resources.ModelResource):
    class Meta:
        model = PartyOrganization
        fields = ["id", "name", "kind", "county", "town", "industry", "note"]


@admin.register(County)
class CountyAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [CountyResource]
    list_display = ["code", "name", "city", "province"]
    search_fields = ["code", "name"]
    list_filter = ["province"]


@admin.register(Town)
class TownAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [TownResource]
    list_display = ["code", "name", "county"]
    search_fields = ["code", "name"]
    list_filter = [("county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["county"]


@admin.register(Village)
class VillageAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [VillageResource]
    list_display = ["code", "name", "town"]
    search_fields = ["code", "name", "town__name"]
    list_filter = [("town__county", admin.RelatedOnlyFieldListFilter), ("town", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["town"]
    autocomplete_fields = ["town"]


class MembershipInline(ScopedAdminMixin, admin.TabularInline):
    model = PartyOrganizationMembership
    scope_model = Village
    scope_lookup = "village"
    extra = 1
    autocomplete_fields = ["village"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [PartyOrganizationResource]
    list_display = ["name", "kind", "county", "town", "industry"]
    search_fields = ["name", "industry"]
    list_filter = ["kind", ("county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["county", "town"]
    inlines = [MembershipInline]

    def has_change_permission(self, request, obj=None):
        # Town users see the organisations that reach into their town (区域党委 spanning several
        # towns) but change only their own town's.
        role = access.role_of(request.user)
        if obj is not None and role is not None and role.town_id and obj.town_id != role.town_id:
            return False
        return super().has_change_permission(request, obj)

    has_delete_permission = has_change_permission


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [EnterpriseResource]
    list_display = ["name", "kind", "credit_code", "county", "town", "village"]
    search_fields = ["name", "credit_code"]
    list_filter = ["kind", ("county", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["county", "town", "village"]
    autocomplete_fields = ["town", "village"]


@admin.register(UserRole)
class UserRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "county", "town"]
    list_filter = ["role", "county"]
    search_fields = ["user__username"]
    list_select_related = ["user", "county", "town"]
